"""The simulator serves a real PNG at every monitoring graph URL that StatisticsGetGraphURL hands out."""

from __future__ import annotations

import struct
import zlib

import httpx
import pytest

from vendors.scalr.simulator import graphs


def png_header(body: bytes) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from a PNG's IHDR, after checking the signature and CRC."""
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    length, tag = struct.unpack(">I4s", body[8:16])
    assert tag == b"IHDR" and length == 13
    data = body[16:29]
    assert struct.unpack(">I", body[29:33])[0] == zlib.crc32(tag + data) & 0xFFFFFFFF
    assert body.endswith(b"IEND\xaeB`\x82")
    return struct.unpack(">IIBB", data[:10])


def pixels(body: bytes) -> bytes:
    """The decompressed scanlines (each starting with its filter byte)."""
    chunks, offset = [], 8
    while offset < len(body):
        length, tag = struct.unpack(">I4s", body[offset:offset + 8])
        if tag == b"IDAT":
            chunks.append(body[offset + 8:offset + 8 + length])
        offset += 12 + length
    return zlib.decompress(b"".join(chunks))


@pytest.mark.parametrize("object_type,watcher,period", [("farm", "CPU", "daily"), ("server", "NET", "yearly")])
def test_the_graph_url_answers_a_png(sim, v1, object_type, watcher, period):
    object_id = 1 if object_type == "farm" else next(iter(sim.world.servers))
    url = v1.statistics_graph_url(env_id=1, object_type=object_type, object_id=object_id, watcher=watcher,
                                  graph_type=period)
    answer = httpx.get(url)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    assert png_header(answer.content) == (graphs.WIDTH, graphs.HEIGHT, 8, 2)
    raw = pixels(answer.content)
    assert len(raw) == graphs.HEIGHT * (1 + graphs.WIDTH * 3)
    assert len(set(raw)) > 4  # a plot, not a blank picture
    assert httpx.get(url).content == answer.content  # the same address draws the same graph


def test_graphs_are_deterministic_and_differ_by_watcher():
    cpu = graphs.graph_png("farm", "1", "CPU", "daily")
    assert cpu == graphs.encode_png(graphs.WIDTH, graphs.HEIGHT, [
        row[1:] for row in _rows(pixels(cpu))])
    assert graphs.graph_png("farm", "1", "MEM", "daily") != cpu
    assert graphs.series("farm", "1", "CPU", "daily") == graphs.series("farm", "1", "CPU", "daily")


def _rows(raw: bytes) -> list[bytes]:
    stride = 1 + graphs.WIDTH * 3
    return [raw[i:i + stride] for i in range(0, len(raw), stride)]


def test_unknown_graph_addresses_and_missing_graphs_answer_404(sim, v1):
    assert httpx.get(f"{sim.url}/graphics/farm/1/DISK.daily.png").status_code == 404
    assert httpx.get(f"{sim.url}/graphics/nothing").status_code == 404
    url = v1.statistics_graph_url(env_id=1, object_type="farm", object_id=1, watcher="CPU", graph_type="daily")
    httpx.post(f"{sim.url}/_sim/graphs_missing", json={}).raise_for_status()
    assert httpx.get(url).status_code == 404
    sim.reset()
    assert httpx.get(url).status_code == 200


def test_graph_images_spend_no_api_request_nor_fault(sim, v1):
    url = v1.statistics_graph_url(env_id=1, object_type="farm", object_id=1, watcher="LA", graph_type="weekly")
    served = sim.requests_served
    sim.faults.update(status=500)
    assert httpx.get(url).status_code == 200
    assert sim.requests_served == served
    sim.faults.clear()
