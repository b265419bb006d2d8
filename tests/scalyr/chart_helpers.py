"""Saved charts as a poll leaves them, for the overview and threshold tests."""

from __future__ import annotations

from django.utils import timezone

from console.teams.models import Team
from vendors.scalyr import thresholds
from vendors.scalyr.models import SavedQuery
from vendors.scalyr.state import to_ms

HOUR_MS = 3_600_000


def chart(connection, name, values=(1.0, 2.0, 3.0), *, direction="", threshold=None, pinned=False, headline=False,
          refresh_error="", **state):
    """A chart as a poll leaves it: the series over the last hour, its latest value and crossing computed."""
    end = to_ms(timezone.now())
    saved = SavedQuery(connection=connection, name=name, kind=SavedQuery.Kind.CHART,
                       state=state or {"filter": "status >= 500"}, values=list(values), window_start_ms=end - HOUR_MS,
                       window_end_ms=end, refreshed_at=timezone.now(), threshold_direction=direction,
                       threshold=threshold, pinned=pinned, headline=headline, refresh_error=refresh_error)
    thresholds.alert_refresh(saved)
    saved.save()
    return saved


def teams_of(*teams):
    return Team.objects.filter(pk__in=[t.pk for t in teams])
