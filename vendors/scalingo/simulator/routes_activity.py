"""Events, deployments and logs (DD events.md, deployments.md, logs.md)."""

from __future__ import annotations

import re
import secrets
import time

from vendors.core.simulator import Response, json_response
from vendors.scalingo.simulator.routing import APP, Ctx, error, invalid, not_found, paginate, router
from vendors.scalingo.simulator.world import public

EVENTS_PER_PAGE = 30  # recorded default (455 events over 16 pages)
DEPLOYMENTS_PER_PAGE = 20
LOGS_URL_LIFETIME = 3600.0  # undocumented (reference §9 h); an hour is our guess


def _recent(ctx: Ctx, events: list[dict]) -> list[dict]:
    """`from` (hours, 1..72) keeps only that window and returns it on one page."""
    hours = ctx.request.arg("from")
    if not hours:
        return events
    try:
        cutoff = time.time() - min(72, max(1, int(hours))) * 3600
    except ValueError:
        raise error(400, "'from' should be a number of hours") from None
    return [e for e in events if e["_ts"] >= cutoff]


def _event_page(ctx: Ctx, events: list[dict]) -> Response:
    events = _recent(ctx, sorted(events, key=lambda e: e["_ts"], reverse=True))
    per_page = max(1, len(events)) if ctx.request.arg("from") else EVENTS_PER_PAGE
    return json_response(paginate(ctx, events, "events", public, per_page=per_page,
                                  max_per_page=max(100, per_page)))


@router.add("GET", APP + r"/events")
def app_events(ctx: Ctx, ref):
    app = ctx.app(ref)
    return _event_page(ctx, [e for e in ctx.world.events if e["app_id"] == app["id"]])


@router.add("GET", r"/v1/events")
def user_events(ctx: Ctx, **_):
    """The user's own actions plus what happened on apps they can see, in this region."""
    world, user = ctx.world, ctx.user
    visible = {a["id"] for a in world.apps.values() if a["_region"] == ctx.region and world.can_see(user, a)}
    return _event_page(ctx, [e for e in world.events if e["app_id"] in visible
                             or (e["_actor"] == user["id"] and e["app_id"] not in world.apps)])


# -- deployments -----------------------------------------------------------------------------
def deployment_json(ctx: Ctx, deployment: dict) -> dict:
    data = public(deployment)
    data["links"] = {"output": f"{ctx.base}/v1/apps/{deployment['app_id']}/deployments/{deployment['id']}/output"}
    return data


def _deployment(ctx: Ctx, ref: str, deployment_id: str) -> dict:
    app = ctx.app(ref)
    found = next((d for d in app["_deployments"] if d["id"] == deployment_id), None)
    if found is None:
        raise not_found("deployment")
    return found


@router.add("GET", APP + r"/deployments")
def deployments_list(ctx: Ctx, ref):
    app = ctx.app(ref)
    return json_response(paginate(ctx, app["_deployments"], "deployments", lambda d: deployment_json(ctx, d),
                                  per_page=DEPLOYMENTS_PER_PAGE, max_per_page=50))


@router.add("POST", APP + r"/deployments")
def deployments_create(ctx: Ctx, ref):
    # DD says 200, GO expects 201; the reference tells a fake to answer 201.
    app = ctx.app(ref)
    spec = ctx.body().get("deployment")
    if not isinstance(spec, dict) or not spec.get("source_url"):
        raise invalid({"source_url": ["can't be blank"]})
    deployment = ctx.world.add_deployment(app, ctx.user, git_ref=spec.get("git_ref"))
    deployment["type"] = "archive"
    return json_response({"deployment": deployment_json(ctx, deployment)}, 201)


@router.add("GET", APP + r"/deployments/(?P<deployment_id>[^/]+)")
def deployments_show(ctx: Ctx, ref, deployment_id):
    return json_response({"deployment": deployment_json(ctx, _deployment(ctx, ref, deployment_id))})


@router.add("GET", APP + r"/deployments/(?P<deployment_id>[^/]+)/output")
def deployments_output(ctx: Ctx, ref, deployment_id):
    return Response(200, "\n".join(_deployment(ctx, ref, deployment_id)["_output"]) + "\n")


# -- logs ----------------------------------------------------------------------------------
@router.add("GET", APP + r"/logs")
def logs_url(ctx: Ctx, ref):
    """A pre-authenticated URL on the logs host; here the logs host is the simulator itself."""
    app = ctx.app(ref)
    token = secrets.token_urlsafe(48)
    ctx.sim.log_tokens[token] = {"app_id": app["id"], "expires": time.time() + LOGS_URL_LIFETIME, "seq": None}
    url = f"{ctx.host}/apps/{app['id']}/logs?token={token}&timestamp={int(time.time())}"
    return json_response({"app": {**public(app), "logs_url": None}, "logs_url": url})


@router.add("GET", APP + r"/logs_archives")
def logs_archives(ctx: Ctx, ref):
    ctx.app(ref)
    return json_response({"next_cursor": "", "has_more": False, "archives": []})


def log_filter(expression: str | None):
    """`filter` is a container name (web-1), a type (web) or a regexp over them (web|worker)."""
    if not expression:
        return lambda source: True
    try:
        pattern = re.compile(expression)
    except re.error:
        raise error(400, f"invalid filter '{expression}'") from None
    return lambda source: bool(pattern.fullmatch(source) or pattern.fullmatch(source.rsplit("-", 1)[0]))


def logs_session(ctx: Ctx, app_id: str) -> dict:
    session = ctx.sim.log_tokens.get(ctx.request.arg("token") or "")
    if session is None or session["app_id"] != app_id or session["expires"] < time.time():
        raise error(401, "invalid token")
    if app_id not in ctx.world.apps:
        raise not_found("app")
    return session


@router.add("GET", r"/apps/(?P<app_id>[0-9a-f]{24})/logs", auth=False)
def logs_dump(ctx: Ctx, app_id):
    """The logs host: a plain-text dump of the last `n` lines, CRLF-terminated as recorded.

    `stream=true` is answered by the simulator itself (it has to wait without the lock).
    """
    session = logs_session(ctx, app_id)
    app = ctx.world.apps[app_id]
    wanted = log_filter(ctx.request.arg("filter"))
    n = ctx.int_arg("n", 20, low=0, high=10000)
    entries = [e for e in app["_logs"] if wanted(e[2])]
    if (ctx.request.arg("stream") or "").lower() == "true":
        start = entries[-n:] if n else []
        if session["seq"] is None:
            session["seq"] = start[0][0] - 1 if start else app["_log_seq"]
        return StreamWait(app_id, session, wanted)
    if session["seq"] is None:  # a stream on this URL goes on from the end of this dump
        session["seq"] = app["_log_seq"]
    if not entries or n == 0:
        return Response(204, b"")
    return Response(200, "".join(ctx.world.log_line(e) + "\r\n" for e in entries[-n:]))


class StreamWait:
    """A streaming answer: the simulator waits (outside its lock) for lines after `session['seq']`."""

    def __init__(self, app_id: str, session: dict, wanted):
        self.app_id, self.session, self.wanted = app_id, session, wanted
