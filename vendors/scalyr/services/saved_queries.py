"""Saved queries and charts: create, edit (name, pin, overview figure, threshold), pin, delete; each audited."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from console.audit.services import audit_record
from vendors.core.alerts.evaluation import alerts_evaluate
from vendors.core.dispatch import enqueue
from vendors.scalyr import thresholds
from vendors.scalyr.models import SavedQuery, ScalyrConnection


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
        enqueue("vendors.scalyr.tasks.refresh_charts", connection.pk, after_commit=True)
    return saved


EDITABLE = ("name", "pinned", "headline", "threshold_direction", "threshold", "related")


def saved_query_update(*, saved: SavedQuery, changes: dict, actor) -> SavedQuery:
    """Rename; for charts also pin, make it the overview figure (taking it from another chart), set the threshold.

    A new threshold is compared with the stored series at once, so the overview need not wait
    for the next poll.
    """
    changes = {key: value for key, value in changes.items() if key in EDITABLE}
    if not saved.is_chart:
        changes = {key: value for key, value in changes.items() if key in ("name", "related")}
    related = changes.pop("related", None)  # kept in its state, as a link to it carries it
    if related is not None and related != saved.state.get("related", ""):
        changes["state"] = {key: value for key, value in saved.state.items() if key != "related"} \
            | ({"related": related} if related else {})
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
            if saved.is_chart:  # a new threshold fires or resolves its alert now, not at the next poll
                alerts_evaluate(connection=saved.connection)
    except IntegrityError:
        raise SavedQueryError(f"This connection already has a saved query named “{saved.name}”.") from None
    return saved


def saved_query_delete(*, saved: SavedQuery, actor) -> None:
    with transaction.atomic():
        audit_record(actor=actor, verb="scalyr.saved.delete", target=saved, team=saved.connection.team,
                     detail={"kind": saved.kind, "state": saved.state})
        saved.delete()
        if saved.is_chart:
            alerts_evaluate(connection=saved.connection)


def saved_query_pin(*, saved: SavedQuery, pinned: bool, actor) -> None:
    with transaction.atomic():
        SavedQuery.objects.filter(pk=saved.pk).update(pinned=pinned)
        saved.pinned = pinned
        audit_record(actor=actor, verb="scalyr.saved.pin" if pinned else "scalyr.saved.unpin", target=saved,
                     team=saved.connection.team)
