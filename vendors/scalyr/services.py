"""Writes: saved queries, the team's query policy, the poll (saved charts, token check), demo seeding."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from console.audit.services import audit_record
from vendors.core import errors
from vendors.scalyr import thresholds
from vendors.scalyr.charts import saved_charts_refresh
from vendors.scalyr.client import READ_CONFIG, READ_LOGS, WRITE_CONFIG
from vendors.scalyr.clients import TOKEN_LABELS, client_for, token_kinds
from vendors.scalyr.models import SavedQuery, ScalyrConnection, TeamQueryPolicy

#: the demo team's starting set, created once per demo connection
DEMO_SAVED = (
    ("5xx responses", SavedQuery.Kind.CHART, {"filter": "status >= 500", "function": "count", "range": "6h",
                                              "buckets": "72"}, True),
    ("p95 latency (ms)", SavedQuery.Kind.CHART, {"filter": "dataset == 'accesslog'", "function": "p95(latency)",
                                                 "range": "6h", "buckets": "72"}, True),
    ("Billing errors", SavedQuery.Kind.EXPLORER, {"filter": "app == 'billing' severity >= 5", "range": "24h"},
     False),
    ("Slow checkouts", SavedQuery.Kind.EXPLORER, {"filter": "uriPath == '/checkout' latency > 100",
                                                  "columns": "status,latency"}, False),
)
#: the demo's error-rate chart: the connection's overview figure, needing attention above 20 errors per
#: 5-minute bucket (about 8 normally; the demo simulator's recurring incidents reach 30 and more)
DEMO_ALERT = ("5xx responses", {"headline": True, "threshold_direction": SavedQuery.Direction.ABOVE,
                                "threshold": 20.0})


class SavedQueryError(ValueError):
    pass


def saved_query_create(*, connection: ScalyrConnection, name: str, kind: str, state: dict, pinned: bool,
                       actor, threshold_direction: str = "", threshold: float | None = None) -> SavedQuery:
    name = name.strip()
    if not name:
        raise SavedQueryError("Give the query a name.")
    is_chart = kind == SavedQuery.Kind.CHART
    alert = {"threshold_direction": threshold_direction, "threshold": threshold} \
        if is_chart and threshold_direction and threshold is not None else {}
    try:
        with transaction.atomic():
            saved = SavedQuery.objects.create(connection=connection, name=name[:100], kind=kind, state=state,
                                              pinned=pinned and is_chart, created_by=actor, **alert)
            audit_record(actor=actor, verb="scalyr.saved.create", target=saved, team=connection.team,
                         detail={"kind": kind, "state": state, "pinned": saved.pinned, **alert})
    except IntegrityError:
        raise SavedQueryError(f"This connection already has a saved query named “{name}”.") from None
    if saved.is_chart:
        from vendors.scalyr.tasks import refresh_charts

        transaction.on_commit(lambda: refresh_charts.delay(connection.pk))
    return saved


EDITABLE = ("name", "pinned", "headline", "threshold_direction", "threshold")


def saved_query_update(*, saved: SavedQuery, changes: dict, actor) -> SavedQuery:
    """Rename; for charts also pin, make it the overview figure (taking it from another chart), set the threshold.

    A new threshold is compared with the stored series at once, so the overview need not wait
    for the next poll.
    """
    changes = {key: value for key, value in changes.items() if key in EDITABLE}
    if not saved.is_chart:
        changes = {key: value for key, value in changes.items() if key == "name"}
    if "name" in changes:
        changes["name"] = changes["name"].strip()[:100]
        if not changes["name"]:
            raise SavedQueryError("Give the query a name.")
    if saved.is_chart and (not changes.get("threshold_direction", saved.threshold_direction)
                           or changes.get("threshold", saved.threshold) is None):
        changes.update(threshold_direction="", threshold=None)  # half a threshold is none
    before = {key: getattr(saved, key) for key in changes}
    for key, value in changes.items():
        setattr(saved, key, value)
    if saved.is_chart:
        thresholds.alert_refresh(saved)
    changed = {key: value for key, value in changes.items() if before[key] != value}
    try:
        with transaction.atomic():
            if changes.get("headline"):
                SavedQuery.objects.filter(connection_id=saved.connection_id, headline=True) \
                    .exclude(pk=saved.pk).update(headline=False)
            saved.save(update_fields=[*changes, *(("latest_value", "crossed_at") if saved.is_chart else ()),
                                      "updated_at"])
            audit_record(actor=actor, verb="scalyr.saved.update", target=saved, team=saved.connection.team,
                         detail={"changed": changed, "before": {key: before[key] for key in changed}})
    except IntegrityError:
        raise SavedQueryError(f"This connection already has a saved query named “{saved.name}”.") from None
    return saved


def saved_query_delete(*, saved: SavedQuery, actor) -> None:
    with transaction.atomic():
        audit_record(actor=actor, verb="scalyr.saved.delete", target=saved, team=saved.connection.team,
                     detail={"kind": saved.kind, "state": saved.state})
        saved.delete()


def saved_query_pin(*, saved: SavedQuery, pinned: bool, actor) -> None:
    with transaction.atomic():
        SavedQuery.objects.filter(pk=saved.pk).update(pinned=pinned)
        saved.pinned = pinned
        audit_record(actor=actor, verb="scalyr.saved.pin" if pinned else "scalyr.saved.unpin", target=saved,
                     team=saved.connection.team)


def query_policy_set(*, team, viewers_may_query: bool, actor) -> TeamQueryPolicy:
    with transaction.atomic():
        policy, _ = TeamQueryPolicy.objects.update_or_create(
            team=team, defaults={"viewers_may_query": viewers_may_query, "updated_by": actor})
        audit_record(actor=actor, verb="scalyr.policy.update", target=policy, team=team,
                     message="Viewers may query logs." if viewers_may_query else "Only operators and admins "
                                                                                 "may query logs.",
                     detail={"viewers_may_query": viewers_may_query})
    return policy


def charts_refresh(*, connection: ScalyrConnection) -> tuple[int, int]:
    """Refresh the saved charts now (after one is saved), outside the poll schedule."""
    if READ_LOGS not in token_kinds(connection):
        return 0, 0
    with client_for(connection, interactive=False) as client:
        return saved_charts_refresh(connection=connection, client=client)


def demo_seed(*, connection: ScalyrConnection) -> int:
    """Give a demo connection its starting saved queries, once (a deleted one stays deleted).

    The error-rate chart's threshold is given once too, also to a demo seeded before thresholds existed.
    """
    settings = connection.settings
    if not settings.get("demo") or (settings.get("demo_seeded") and settings.get("demo_alert")):
        return 0
    created = 0
    with transaction.atomic():
        if not settings.get("demo_seeded"):
            for name, kind, state, pinned in DEMO_SAVED:
                _, was_created = SavedQuery.objects.get_or_create(connection=connection, name=name,
                                                                  defaults={"kind": kind, "state": state,
                                                                            "pinned": pinned})
                created += was_created
        name, alert = DEMO_ALERT
        if not SavedQuery.objects.filter(connection=connection, headline=True).exists():
            SavedQuery.objects.filter(connection=connection, name=name, kind=SavedQuery.Kind.CHART,
                                      threshold__isnull=True).update(**alert)
        connection.settings = {**settings, "demo_seeded": True, "demo_alert": True}
        ScalyrConnection.objects.filter(pk=connection.pk).update(settings=connection.settings)
    return created


def connection_poll(*, connection: ScalyrConnection, parts=None) -> list[str]:
    """Refresh the saved charts (one timeseriesQuery with summaries) and prove the other tokens work.

    Raises the vendor's error when a token is refused, so the connection's health says so.
    """
    kinds = token_kinds(connection)
    notes = []
    seeded = demo_seed(connection=connection)
    if seeded:
        notes.append(f"Demo: {seeded} saved queries created.")
    with client_for(connection, interactive=False) as client:
        if READ_LOGS in kinds:
            charts, created = saved_charts_refresh(connection=connection, client=client, parts=parts)
            if charts:
                notes.append(f"{charts} saved chart{'s' if charts != 1 else ''} refreshed"
                             + (f" ({created} new Scalyr summar{'ies' if created != 1 else 'y'})." if created
                                else "."))
            else:
                client.check(READ_LOGS)
        for kind in (READ_CONFIG, WRITE_CONFIG):
            if kind in kinds:  # one listFiles proves the config side; "Test connection" checks each token
                if parts is None:
                    client.check(kind)
                else:
                    parts.read("config", "the configuration files token", lambda kind=kind: client.check(kind))
                break
    notes.append("Tokens: " + ", ".join(TOKEN_LABELS[k] for k in (READ_LOGS, READ_CONFIG, WRITE_CONFIG) if k in kinds)
                 + ".")
    return notes


def connection_check(*, connection: ScalyrConnection) -> str:
    """Every configured token tried once, in one sentence; raises when one is refused."""
    with client_for(connection, interactive=False) as client:
        results = client.check_all()
    if not results:
        raise errors.AuthenticationError("No token is set on this connection.")
    parts = [f"{TOKEN_LABELS[r.kind]} token {'works' if r.ok else 'refused: ' + (r.error or 'unknown error')}"
             for r in results]
    sentence = "; ".join(parts) + "."
    sentence = sentence[0].upper() + sentence[1:]
    failed = [r for r in results if not r.ok]
    if failed:
        raise errors.VendorError(sentence, code=failed[0].error_kind)
    return sentence
