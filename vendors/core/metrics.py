"""Prometheus metrics shared by every vendor (exported at /metrics)."""

from prometheus_client import Counter, Histogram

VENDOR_HTTP_SECONDS = Histogram(
    "console_vendor_http_request_seconds",
    "Latency of HTTP requests to a vendor API, by vendor and outcome.",
    ["vendor", "outcome"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
POLLS = Counter("console_polls_total", "Connection polls finished, by vendor and outcome.", ["vendor", "outcome"])
POLL_SECONDS = Histogram(
    "console_poll_seconds",
    "Duration of a connection poll, by vendor.",
    ["vendor"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
