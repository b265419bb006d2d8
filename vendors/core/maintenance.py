"""Keeping the database's query planner informed.

PostgreSQL's autovacuum refreshes the planner's statistics by itself; SQLite never does, and
without them it plans every query as if tables were small. The Scalr server list, for one,
then sorts all 40,000 servers by farm name (20 ms) where, with statistics, it walks the farm
name index and stops after a page (5 ms). The worker runs `database_analyze` every
`CONSOLE_ANALYZE_SECONDS` (an hour by default); on 40,000 servers it takes about 20 ms.
"""

from __future__ import annotations

from django.db import connections


def database_analyze(*, using: str = "default") -> str:
    """Refresh the planner statistics of every table; returns the database vendor."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return connection.vendor
