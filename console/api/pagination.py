from rest_framework.pagination import LimitOffsetPagination


class Pages(LimitOffsetPagination):
    """`{"count", "next", "previous", "results"}` with `limit` (default 50, at most 1,000) and `offset`."""

    default_limit = 50
    max_limit = 1000
