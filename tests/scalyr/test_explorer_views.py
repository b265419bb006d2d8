"""The explorer's fragments as the browser receives them: lines, load more, histogram, facets, tail, chart."""

from __future__ import annotations

import html
import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from console.teams.models import Role
from vendors.scalyr.selectors import explorer as reads

from .app_helpers import WEB1, WEB2, access, ago, seed
from .helpers import READ_CONFIG, emit

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def operator(web, members):
    web.force_login(members[Role.OPERATOR])
    return web


def explorer_url(connection, query: str = "") -> str:
    return reverse("scalyr:explorer", args=[connection.pk]) + query


def fragment(web, url: str, **headers) -> str:
    response = web.get(url, **HX, **headers)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def messages_of(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<span class="c-msg">([^<]*)</span>', page)]


def hx_url(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*hx-get="([^"]+)"', page)
    assert match, f"no hx-get on #{element_id}"
    return html.unescape(match.group(1))


def test_the_page_renders_without_asking_scalyr_and_loads_its_lines(operator, scalyr_connection, live_sim):
    served = live_sim.requests_served
    page = operator.get(explorer_url(scalyr_connection, "?filter=status%20%3D%3D%20502&range=4h")).content.decode()
    assert live_sim.requests_served == served
    assert 'value="status == 502"' in page
    assert re.search(r'<option value="4h" selected>', page)
    assert 'hx-trigger="load"' in page  # the lines load right after the page


def test_lines_come_newest_first_or_oldest_first(operator, scalyr_connection, live_sim):
    emit(live_sim, access(WEB1, 300, 200, "/old"), access(WEB1, 200, 200, "/middle"), access(WEB1, 100, 200, "/new"))
    newest = messages_of(fragment(operator, explorer_url(scalyr_connection)))
    oldest = messages_of(fragment(operator, explorer_url(scalyr_connection, "?order=oldest")))
    assert [m.split()[1] for m in newest] == ["/new", "/middle", "/old"]
    assert [m.split()[1] for m in oldest] == ["/old", "/middle", "/new"]


def test_a_line_shows_severity_host_log_file_columns_and_all_its_fields(operator, scalyr_connection, live_sim):
    emit(live_sim, access(WEB2, 10, 503, "/checkout", latency=812.5))
    page = fragment(operator, explorer_url(scalyr_connection, "?columns=status,latency"))
    assert '<li class="sev-5" data-f="lf-' in page
    assert '<span class="c-sev" title="error (severity 5 of 0-6)">ERR</span>' in page
    assert f'<span class="c-host">{WEB2}</span>' in page
    assert '<span class="c-col" title="status">503</span><span class="c-col" title="latency">812.5</span>' in page
    block = re.search(r'<script type="application/json" id="(lf-\w+)">(.*?)</script>', page)
    assert re.search(rf'<li class="sev-5" data-f="{block.group(1)}:0">', page)
    fields = json.loads(block.group(2))[0]
    assert fields["uriPath"] == "/checkout" and fields["serverIP"] == "10.0.1.12" and fields["severity"] == 5
    assert "message" not in fields and "logfile" not in fields  # already on the line


def test_load_more_follows_the_continuation_token_without_repeating_a_line(operator, scalyr_connection, live_sim):
    emit(live_sim, *[access(WEB1, 10 + i, 200, f"/p{i}") for i in range(150)])
    first = fragment(operator, explorer_url(scalyr_connection))
    assert len(messages_of(first)) == reads.PAGE_SIZE
    more = fragment(operator, _more_url(first))
    key = re.search(r'data-query-key="(\w+)"', first).group(1)
    assert f"hx-swap-oob=\"beforeend:#log-lines[data-query-key='{key}']\"" in more
    seen = messages_of(first) + messages_of(more)
    assert len(seen) == 150 == len(set(seen))
    assert "End of the range." in more
    # Later events do not shift the pages: the window is absolute.
    emit(live_sim, access(WEB1, 0, 200, "/late"))
    assert messages_of(fragment(operator, _more_url(first))) == messages_of(more)


def _more_url(page: str) -> str:
    match = re.search(r'<div id="more" class="more">\s*<button[^>]*hx-get="([^"]+)"', page)
    assert match, "no load-more button"
    return html.unescape(match.group(1))


def test_scalyr_refusing_a_filter_shows_its_words_next_to_the_filter_box(operator, scalyr_connection):
    page = fragment(operator, explorer_url(scalyr_connection, "?filter=status%20%3D%3D%20("))
    error = re.search(r'<div id="query-error"[^>]*hx-swap-oob="true">(.*?)</div>', page, re.S).group(1)
    assert "Error parsing filter [status == (]" in html.unescape(error)
    assert "No results: Scalyr did not run this query" in page


def test_a_new_query_from_the_form_gets_a_shareable_url(operator, scalyr_connection):
    response = operator.get(explorer_url(scalyr_connection, "?filter=error&range=1h&order=newest&columns=&start=&end="),
                            HTTP_HX_TRIGGER="explorer-form", **HX)
    assert response["HX-Push-Url"] == explorer_url(scalyr_connection, "?filter=error")
    assert "HX-Push-Url" not in operator.get(explorer_url(scalyr_connection), **HX)


def test_bad_url_values_are_reported_and_nothing_is_queried(operator, scalyr_connection, live_sim):
    served = live_sim.requests_served
    page = fragment(operator, explorer_url(scalyr_connection, "?range=forever&end=yesterday"))
    assert live_sim.requests_served == served
    assert "Fix the highlighted values above" in page
    full = operator.get(explorer_url(scalyr_connection, "?range=forever")).content.decode()
    assert "is not a range like 15m, 1h, 24h or 7d" in html.unescape(full)


def test_the_histogram_counts_every_matching_event_and_its_bars_narrow_the_range(operator, scalyr_connection,
                                                                                 live_sim):
    seed(live_sim, count=40)
    results = fragment(operator, explorer_url(scalyr_connection, "?filter=app%20%3D%3D%20%27shop-api%27"))
    page = fragment(operator, hx_url(results, "histogram"))
    counts = [int(c) for c in re.findall(r'data-count="(\d+)"', page)]
    assert len(counts) == reads.HISTOGRAM_BUCKETS and sum(counts) == 40
    assert "40 events" in page
    href = html.unescape(re.search(r'<a href="([^"]+)" class="bar-link" data-count="[1-9]', page).group(1))
    query = parse_qs(urlsplit(href).query)
    assert query["filter"] == ["app == 'shop-api'"] and "start" in query and "end" in query


def test_facets_count_values_and_build_safe_include_and_exclude_filters(operator, scalyr_connection, live_sim):
    tricky = 'web-"3"'
    emit(live_sim, access(WEB1, 10, 200), access(WEB1, 20, 200), access(tricky, 30, 500))
    results = fragment(operator, explorer_url(scalyr_connection, "?filter=status%20%3E%3D%20200"))
    page = html.unescape(fragment(operator, hx_url(results, "facets")))
    assert re.search(rf'>{WEB1}</a>\s*<span class="facet-count">2</span>', page)
    include = re.search(r'href="[^"]*\?([^"]*)" class="facet-value" title="Show only serverHost = web-"3"', page)
    assert include, page[:2000]
    assert parse_qs(include.group(1))["filter"] == ['status >= 200 $serverHost == "web-\\"3\\""']
    assert "error (5)" in page and "info (3)" in page


def test_facet_fields_are_chosen_in_the_url(operator, scalyr_connection, live_sim):
    emit(live_sim, access(WEB1, 10, 200, "/a"), access(WEB1, 20, 200, "/b"))
    results = fragment(operator, explorer_url(scalyr_connection, "?facets=uriPath"))
    page = fragment(operator, hx_url(results, "facets"))
    assert re.findall(r"<h3>([^<]+)</h3>", page) == ["uriPath"]


def tail_step(web, url: str) -> tuple[str, str]:
    page = fragment(web, url)
    next_url = re.search(r'<div id="tail"[^>]*hx-get="([^"]+)"', page)
    return page, html.unescape(next_url.group(1)) if next_url else ""


def test_the_tail_appends_each_new_event_exactly_once(operator, scalyr_connection, live_sim):
    emit(live_sim, access(WEB1, 5, 200, "/before"))
    results = fragment(operator, explorer_url(scalyr_connection, "?tail=1"))
    assert "● Live" in results
    _, url = tail_step(operator, hx_url(results, "tail"))
    now = time.time_ns()
    # Two events at the same nanosecond from two servers, then one more.
    emit(live_sim, {"host": WEB1, "ts": str(now), "attrs": {"message": "same time one"}},
         {"host": WEB2, "ts": str(now), "attrs": {"message": "same time two"}})
    page, url = tail_step(operator, url)
    assert 'hx-swap-oob="afterbegin:#log-lines[data-query-key=' in page
    assert messages_of(page) == ["same time two", "same time one"] or messages_of(page) == ["same time one",
                                                                                           "same time two"]
    page, url = tail_step(operator, url)
    assert messages_of(page) == []
    emit(live_sim, {"host": WEB2, "ts": str(now), "attrs": {"message": "late arrival, same stamp"}},
         {"host": WEB1, "ts": str(now + 1), "attrs": {"message": "next"}})
    page, url = tail_step(operator, url)
    assert messages_of(page) == ["next"]  # same (timestamp, session) as a line shown: not shown again


def test_the_tail_pauses_and_stops_by_itself_after_ten_minutes(operator, scalyr_connection):
    base = reverse("scalyr:tail", args=[scalyr_connection.pk])
    paused, _ = tail_step(operator, f"{base}?since={ago(1)}&started={int(time.time() * 1000)}&paused=1")
    assert "Paused" in paused and "hx-trigger" not in paused.split('id="tail"')[1].split(">")[0]
    old = int(time.time() * 1000) - 11 * 60 * 1000
    stopped, next_url = tail_step(operator, f"{base}?since={ago(1)}&started={old}")
    assert "stops after 10 minutes" in stopped and not next_url
    resumed, next_url = tail_step(operator, f"{base}?since={ago(1)}&started={old}&resume=1")
    assert "● Live" in resumed and next_url


def test_the_chart_fragment_carries_the_series_and_the_value_over_the_range(operator, scalyr_connection, live_sim):
    seed(live_sim, count=21)
    page = fragment(operator, reverse("scalyr:chart", args=[scalyr_connection.pk])
                    + "?filter=status%20%3D%3D%20502&buckets=12")
    data = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page).group(1))
    assert len(data["times"]) == len(data["values"]) == 12
    assert sum(data["values"]) == 3
    assert '<div class="figure">3</div>' in page


def test_a_bad_chart_function_is_refused_in_scalyrs_words(operator, scalyr_connection):
    page = fragment(operator, reverse("scalyr:chart", args=[scalyr_connection.pk]) + "?function=p95(")
    assert 'id="query-error"' in page and "Scalyr:" in page and "No chart" in page


def test_without_a_read_logs_token_the_explorer_says_why_and_sends_nothing(operator, team, live_sim):
    from .conftest import _scalyr_connection

    config_only = _scalyr_connection("config-only", team, live_sim, read_config_token=READ_CONFIG)
    served = live_sim.requests_served
    page = fragment(operator, explorer_url(config_only))
    assert "no Read Logs token" in page
    assert live_sim.requests_served == served


def test_no_token_ever_reaches_a_page(operator, scalyr_connection, live_sim):
    from .helpers import ALL_TOKENS

    seed(live_sim, count=3)
    results = fragment(operator, explorer_url(scalyr_connection))
    pages = [results, fragment(operator, hx_url(results, "histogram")), fragment(operator, hx_url(results, "facets")),
             operator.get(explorer_url(scalyr_connection)).content.decode(),
             operator.get(reverse("scalyr:home")).content.decode(),
             operator.get(reverse("core:connection-detail", args=["scalyr", scalyr_connection.pk])).content.decode()]
    for page in pages:
        for token in ALL_TOKENS:
            assert token not in page


def test_live_tails_count_against_the_persons_limit_and_a_paused_one_frees_its_place(
        operator, scalyr_connection, settings):
    settings.CONSOLE_TAILS_PER_USER = 3
    first = reverse("scalyr:tail", args=[scalyr_connection.pk]) + f"?since={ago(1)}&started={int(time.time() * 1000)}"
    running = [tail_step(operator, first)[1] for _ in range(3)]
    assert all("slot=" in url for url in running)  # three tails, each holding its place
    refused, next_url = tail_step(operator, first)
    assert "You already have 3 live tails open" in html.unescape(refused) and not next_url
    assert "● Live" in tail_step(operator, running[0])[0]  # a tail that holds its place goes on
    tail_step(operator, running[1] + "&paused=1")
    assert "● Live" in tail_step(operator, first)[0]  # the paused tail's place is free at once
