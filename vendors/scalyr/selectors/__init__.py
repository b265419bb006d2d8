"""Reads, one module per resource: rows of the user's teams and who may query them (connections,
saved queries), and what is read live from Scalyr (the explorer, charts, config files)."""

from vendors.scalyr.selectors.charts import Series, chart_series, tile, with_threshold
from vendors.scalyr.selectors.config_files import file_get, file_get_or_none, files_list, pretty
from vendors.scalyr.selectors.connections import (
    QUERY_DENIED,
    connection_for_query,
    connection_get,
    connections_by_name,
    connections_for_user,
    enabled_connections,
    may_query,
    query_policies,
    queryable_team_ids,
    role_in,
    viewers_may_query,
)
from vendors.scalyr.selectors.explorer import (
    EventsPage,
    Facet,
    Histogram,
    LogLine,
    TailCursor,
    events_page,
    facets,
    histogram,
    tail_cursor,
    tail_events,
)
from vendors.scalyr.selectors.outbox import Sending, sending_status
from vendors.scalyr.selectors.saved_queries import (
    charts_needing_attention,
    overview_figures,
    pinned_charts,
    saved_chart_opened,
    saved_queries_for,
    saved_queries_listed,
    saved_queries_named,
    saved_query_get,
    saved_query_totals,
)

__all__ = ["QUERY_DENIED", "EventsPage", "Facet", "Histogram", "LogLine", "Series", "TailCursor", "chart_series",
           "charts_needing_attention", "connection_for_query", "connection_get", "connections_by_name",
           "connections_for_user", "enabled_connections", "events_page", "facets", "file_get", "file_get_or_none",
           "files_list", "histogram", "may_query", "overview_figures", "pinned_charts", "pretty", "query_policies",
           "queryable_team_ids", "role_in", "saved_chart_opened", "saved_queries_for", "saved_queries_listed",
           "saved_queries_named",
           "saved_query_get", "saved_query_totals", "Sending", "sending_status", "tail_cursor", "tail_events", "tile",
           "viewers_may_query",
           "with_threshold"]
