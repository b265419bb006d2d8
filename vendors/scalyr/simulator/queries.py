"""The read methods over stored events: query, numericQuery, facetQuery, timeseriesQuery.

Paging follows scalyr.md §8: matches sorted by (timestamp, session, seq); `head` takes the
oldest `maxCount` after the cursor, `tail` the newest before it; a page is always returned
oldest first. The continuation token is opaque (base64 JSON) and bound to the filter, the
times as written and the page mode; repeating different parameters is refused, and so is
a token whose position fell out of a relative range that drifted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from collections import Counter

from vendors.scalyr.simulator.filterlang import MISSING, FilterError, as_text, compile_filter
from vendors.scalyr.simulator.params import Params, bad_param
from vendors.scalyr.simulator.stats import parse_function, series
from vendors.scalyr.simulator.store import EventStore
from vendors.scalyr.simulator.timespec import time_range


def compile_event_filter(store: EventStore, text: str | None):
    try:
        return compile_filter(text or "", store.getter)
    except FilterError as exc:
        raise bad_param(f"Error parsing filter [{text}]: {exc}") from None


# -- query ------------------------------------------------------------------------------------
def _query_hash(params: Params, mode: str) -> str:
    basis = json.dumps([params.raw("filter") or "", params.raw("startTime"), params.raw("endTime"), mode])
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def encode_token(mode: str, key: tuple, query_hash: str) -> str:
    data = json.dumps({"m": mode, "k": list(key), "q": query_hash}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_token(token: str, mode: str, query_hash: str) -> tuple:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        key = (int(data["k"][0]), str(data["k"][1]), int(data["k"][2]))
        same_query = data["m"] == mode and data["q"] == query_hash
    except (binascii.Error, ValueError, KeyError, TypeError, IndexError):
        raise bad_param("invalid continuationToken") from None
    if not same_query:
        raise bad_param("continuationToken does not belong to this query: repeat the same filter, startTime, "
                        "endTime and pageMode")
    return key


def log_query(store: EventStore, params: Params, now: int) -> dict:
    params.query_type("log")
    params.priority()
    start, end = time_range(params, now, start_required=False)
    max_count = params.int("maxCount", 100, low=1, high=5000)
    mode = params.choice("pageMode", ("head", "tail")) or ("head" if params.raw("startTime") is not None else "tail")
    columns = [c.strip() for c in (params.str("columns") or "").split(",") if c.strip()]
    predicate = compile_event_filter(store, params.str("filter"))
    query_hash = _query_hash(params, mode)
    cursor = None
    token = params.str("continuationToken")
    if token:
        cursor = decode_token(token, mode, query_hash)
        if not start <= cursor[0] <= end:
            raise bad_param("continuationToken is outside the query's time range (the range moved: use absolute "
                            "startTime and endTime when paging)")
    scan = {"after": cursor} if mode == "head" else {"before": cursor, "reverse": True}
    page = []
    for event in store.matching(start, end, predicate, **scan):
        page.append(event)
        if len(page) == max_count:
            break
    if mode == "tail":
        page.reverse()
    body = {"status": "success", "matches": [_columns(store.match_json(e), columns) for e in page],
            "sessions": {e.session: store.sessions.get(e.session, {"session": e.session}) for e in page}}
    if page:
        # Like the real service, a token comes with every non-empty page, also the last one.
        body["continuationToken"] = encode_token(mode, (page[-1] if mode == "head" else page[0]).key, query_hash)
    return body


def _columns(match: dict, columns: list[str]) -> dict:
    if not columns:
        return match
    kept = {name: match[name] for name in columns if name in match and name != "attributes"}
    attributes = {name: match["attributes"][name] for name in columns if name in match["attributes"]}
    if attributes:
        kept["attributes"] = attributes
    return kept


# -- numbers --------------------------------------------------------------------------------
def _numeric_values(store: EventStore, params: Params, now: int) -> list:
    function = parse_function(params.str("function"))
    start, end = time_range(params, now, start_required=True)
    buckets = params.int("buckets", 1, low=1, high=5000)
    predicate = compile_event_filter(store, params.str("filter"))
    return series(function, store.matching(start, end, predicate), start, end, buckets, store.getter)


def numeric_query(store: EventStore, params: Params, now: int) -> dict:
    params.query_type("numeric")
    params.priority()
    return {"status": "success", "values": _numeric_values(store, params, now)}


def facet_query(store: EventStore, params: Params, now: int) -> dict:
    params.query_type("facet")
    params.priority()
    name = params.str("field", required=True).lstrip("$").replace("\\", "")
    max_count = params.int("maxCount", 100, low=1, high=1000)
    start, end = time_range(params, now, start_required=True)
    predicate = compile_event_filter(store, params.str("filter"))
    get = store.getter(name)
    counts: Counter = Counter()
    matched = 0
    for event in store.matching(start, end, predicate):
        matched += 1
        value = get(event)
        if value is not MISSING and (value is None or isinstance(value, (str, int, float, bool))):
            counts[value] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], as_text(item[0])))[:max_count]
    return {"status": "success", "values": [{"value": v, "count": c} for v, c in ranked], "matchCount": matched}


class Summaries:
    """Backend time series created by timeseriesQuery (createSummaries) or createTimeseries.

    Backfill is instant here; on the real service a new series fills within ~30 minutes.
    """

    def __init__(self):
        self.keys: set[tuple[str, str]] = set()
        self.by_id: dict[str, tuple[str, str]] = {}

    def create(self, filter_: str, function: str) -> tuple[str, bool]:
        key = (filter_, function)
        found = key in self.keys
        self.keys.add(key)
        series_id = hashlib.sha256(json.dumps(key).encode()).hexdigest()[:20]
        self.by_id[series_id] = key
        return series_id, found


def timeseries_query(store: EventStore, summaries: Summaries, queries, now: int) -> dict:
    if not isinstance(queries, list) or not queries or not all(isinstance(q, dict) for q in queries):
        raise bad_param("'queries' must be a non-empty list of query objects")
    results = []
    for raw in queries:
        started = time.perf_counter()
        params = Params(dict(raw))
        params.priority()
        series_id = params.str("timeseriesId")
        if series_id:
            if series_id not in summaries.by_id:
                raise bad_param(f"unknown timeseriesId [{series_id}]")
            params.values["filter"], params.values["function"] = summaries.by_id[series_id]
        key = (params.str("filter") or "", params.str("function") or "")
        found = key in summaries.keys
        create = params.bool("createSummaries", True)
        only_summaries = params.bool("onlyUseSummaries", False)
        if only_summaries and not found:
            values = _numeric_values(store, params, now)  # validates the query, then nothing is known yet
            values = [None] * len(values)
        else:
            values = _numeric_values(store, params, now)
        if create and not found:
            summaries.create(*key)
        results.append({"values": values, "executionTime": round((time.perf_counter() - started) * 1000),
                        "foundExistingSeries": found or bool(series_id)})
    return {"status": "success", "results": results}
