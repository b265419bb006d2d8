"""An incident: a moment, the window around it and the objects it is about, read from the incident
page's URL (`/incidents/?at=2026-12-07T14:02:00Z&around=scalingo.app:42&before=30&after=10`).

The dashboard's page and each vendor's part of it (Scalyr's error rate) read the same URL the same way,
so a link opened by a teammate shows the same window around the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone

from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from console.params import whole_number
from console.teams.models import Team
from console.teams.selectors import teams_for_user
from vendors.core import registry
from vendors.core.changes import AFTER, BEFORE, incident_url, subjects_for

MAX_AROUND = 10
#: how far the window reaches each side of its moment, in minutes
MAX_BEFORE, MAX_AFTER = 24 * 60, 12 * 60


@dataclass(frozen=True)
class Incident:
    """A moment, the window around it and the objects it is about, as one user's teams see them."""

    user: object
    teams: object  # the teams concerned: the subjects' teams, else all of the user's
    at: datetime
    before: int  # minutes
    after: int
    subjects: tuple[registry.Subject, ...] = ()
    #: `around` named objects the user cannot see (or that are gone): left out, said on the page
    unseen: int = 0

    @property
    def start(self) -> datetime:
        return self.at - timedelta(minutes=self.before)

    @property
    def end(self) -> datetime:
        return self.at + timedelta(minutes=self.after)

    @property
    def keys(self) -> frozenset[str]:
        """The objects concerned: the subjects and the objects they relate to (a chart's apps)."""
        return frozenset(k for s in self.subjects for k in (s.key, *s.related))

    @property
    def around(self) -> list[str]:
        return [s.key for s in self.subjects]

    def query(self, **options) -> registry.ChangeQuery:
        return registry.ChangeQuery(teams=self.teams, start=self.start, end=self.end, objects=self.keys, **options)

    def url(self, **changes) -> str:
        """This incident's page; `changes` replace its moment, objects or window."""
        values = {"at": self.at, "around": self.around, "before": self.before, "after": self.after, **changes}
        return incident_url(**values)


def parse_moment(text: str | None) -> datetime | None:
    """ISO 8601 (a naive one in the console's zone, "Z" for UTC) or epoch seconds; None when it is neither."""
    text = (text or "").strip()
    if not text or len(text) > 40:
        return None
    try:
        if text.replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(text), tz=dt_timezone.utc)
        parsed = parse_datetime(text.replace(" ", "T", 1))
    except (ValueError, OverflowError, OSError):
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def incident_from_params(*, user, params, now: datetime | None = None) -> tuple[Incident, list[str]]:
    """The incident a URL names, and what was wrong with it (sentences). Raises Http404 when `around` names
    objects and the user sees none of them: another team's objects do not exist for them."""
    problems = []
    now = now or timezone.now()
    at = parse_moment(params.get("at"))
    if params.get("at") and at is None:
        problems.append("At: not a date and time (2026-12-07T14:02:00Z); showing now.")
    before, problem = whole_number(params, "before", default=BEFORE, low=1, high=MAX_BEFORE, label="Minutes before")
    after, problem_after = whole_number(params, "after", default=AFTER, low=0, high=MAX_AFTER, label="Minutes after")
    problems += [p for p in (problem, problem_after) if p]
    keys = list(dict.fromkeys(k.strip() for k in (params.get("around") or "").split(",") if k.strip()))[:MAX_AROUND]
    teams = teams_for_user(user=user)
    subjects = subjects_for(teams=teams, keys=keys) if keys else []  # a server's key names its farm, say
    if keys and not subjects:
        raise Http404("No such object, or not yours to see.")
    if subjects:
        teams = Team.objects.filter(pk__in={s.team_id for s in subjects})
    return Incident(user=user, teams=teams, at=(at or now).replace(microsecond=0), before=before, after=after,
                    subjects=tuple(subjects), unseen=max(len(keys) - len(subjects), 0)), problems
