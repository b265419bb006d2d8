"""The monitoring graphs behind `StatisticsGetGraphURL`: small PNG line plots, standard library only.

Scalr answered the Query API's `StatisticsGetGraphURL` with the address of a PNG rendered by its
statistics server. The simulator hands out `/graphics/<object type>/<id>/<watcher>.<period>.png`
and draws the picture here: an area plot of the watcher's simulated metric, the same bytes for the
same address (the values are seeded by the address), a few milliseconds the first time and cached after.
"""

from __future__ import annotations

import functools
import random
import re
import struct
import zlib

WIDTH, HEIGHT = 480, 160
PATH = re.compile(r"/graphics/(?P<object_type>farm|role|server)/(?P<object_id>[\w-]{1,64})/"
                  r"(?P<watcher>CPU|MEM|LA|NET)\.(?P<period>daily|weekly|monthly|yearly)\.png")
#: points per period, and each watcher's line colour and typical level (fraction of the height)
_POINTS = {"daily": 48, "weekly": 56, "monthly": 60, "yearly": 52}
_WATCHERS = {"CPU": ((31, 119, 180), 0.35), "MEM": ((44, 160, 44), 0.6), "LA": ((255, 127, 14), 0.25),
             "NET": ((148, 103, 189), 0.4)}
_BACKGROUND, _GRID, _AXIS = (255, 255, 255), (226, 230, 236), (150, 156, 166)
_MARGIN = 8


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def encode_png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit RGB PNG of `rows` (each `width * 3` bytes), every scanline with filter type 0."""
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6))
            + _chunk(b"IEND", b""))


def series(object_type: str, object_id: str, watcher: str, period: str) -> list[float]:
    """The simulated metric, 0..1 of the plot's height: a daily wave with noise, seeded by the address."""
    rng = random.Random(zlib.crc32(f"{object_type}/{object_id}/{watcher}/{period}".encode()))
    level = _WATCHERS[watcher][1]
    values, value = [], level
    for i in range(_POINTS[period]):
        wave = 0.12 * ((i % 12) / 6 - 1) ** 2
        value += (level + wave - value) * 0.4 + rng.uniform(-0.08, 0.08)
        values.append(min(0.95, max(0.03, value)))
    return values


@functools.lru_cache(maxsize=256)
def graph_png(object_type: str, object_id: str, watcher: str, period: str) -> bytes:
    colour, _ = _WATCHERS[watcher]
    fill = tuple(c + (255 - c) * 3 // 4 for c in colour)
    values = series(object_type, object_id, watcher, period)
    left, right, top, bottom = _MARGIN, WIDTH - _MARGIN, _MARGIN, HEIGHT - _MARGIN
    span = bottom - top
    # the line's height at each column, interpolated between the points
    heights = []
    for x in range(left, right):
        position = (x - left) / (right - left - 1) * (len(values) - 1)
        i = min(int(position), len(values) - 2)
        value = values[i] + (values[i + 1] - values[i]) * (position - i)
        heights.append(bottom - value * span)
    background = bytes(_BACKGROUND) * WIDTH
    grid = bytes(_BACKGROUND) * left + bytes(_GRID) * (right - left) + bytes(_BACKGROUND) * (WIDTH - right)
    axis = bytes(_BACKGROUND) * left + bytes(_AXIS) * (right - left) + bytes(_BACKGROUND) * (WIDTH - right)
    line, area = bytes(colour), bytes(fill)
    rows = []
    for y in range(HEIGHT):
        if y < top or y > bottom:
            rows.append(background)
            continue
        row = bytearray(axis if y == bottom else grid if (y - top) % (span // 4) == 0 else background)
        for column, h in enumerate(heights):
            if y + 1 >= h:
                x3 = (left + column) * 3
                row[x3:x3 + 3] = line if y - h < 2 else area
        rows.append(bytes(row))
    return encode_png(WIDTH, HEIGHT, rows)


def answer(path: str) -> tuple[int, bytes]:
    """(status, PNG) for a graph address; 404 and no body for anything else."""
    match = PATH.fullmatch(path)
    if not match:
        return 404, b""
    return 200, graph_png(**match.groupdict())
