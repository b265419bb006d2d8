"""The worker keeps the database planner's statistics current (SQLite keeps none by itself)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from console.teams.models import Team
from tests.scalr.seeding import seed_scalr
from vendors.core.tasks import database_analyze

pytestmark = pytest.mark.django_db


def analyzed(table: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone():
                return False
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
        return cursor.fetchone()[0] > 0


def test_the_analyze_task_gives_the_planner_statistics():
    seed_scalr(teams=[Team.objects.create(name="ops", slug="ops")], scale=1)
    assert not analyzed("scalr_server")
    assert database_analyze() == connection.vendor
    assert analyzed("scalr_server")
    assert analyzed("scalr_farm")


def test_beat_runs_it_every_hour_by_default():
    entry = settings.CELERY_BEAT_SCHEDULE["database-analyze"]
    assert entry["task"] == database_analyze.name
    assert entry["schedule"] == 3600
