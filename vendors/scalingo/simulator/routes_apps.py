"""Apps, formation, scale/restart with their operations, stats and metrics (DD apps.md,
operations.md; recorded shapes from the 2020 samples)."""

from __future__ import annotations

import re

from vendors.core.simulator import Response, json_response
from vendors.scalingo.simulator.routing import APP, Ctx, error, invalid, not_found, router
from vendors.scalingo.simulator.world import BUSY_STATUSES, MAX_PER_TYPE, SIZE_NAMES, SIZES, public, size_json


def app_json(ctx: Ctx, app: dict) -> dict:
    data = public(app)
    data["links"] = {"deployments_stream": f"{ctx.host.replace('http', 'ws', 1)}/deployments/apps/{app['name']}"}
    return data


def name_errors(world, name, *, exclude: str | None = None) -> list[str]:
    if not name:
        return ["can't be blank"]
    found = []
    if not re.fullmatch(r"[a-z0-9-]+", name):
        found.append("should contain only lowercap letters, digits and hyphens")
    if name.startswith("-"):
        found.append("can't start with an hyphen")
    if name.endswith("-"):
        found.append("can't end with an hyphen")
    if "--" in name:
        found.append("can't contain 2 consecutive hyphens")
    if len(name) < 6:
        found.append("is too short (minimum is 6 characters)")
    if len(name) > 48:
        found.append("is too long (maximum is 48 characters)")
    if any(a["name"] == name and a["id"] != exclude for a in world.apps.values()):
        found.append("has already been taken")
    return found


# -- apps -------------------------------------------------------------------------------
@router.add("GET", r"/v1/apps")
def apps_list(ctx: Ctx, **_):
    visible = [a for a in ctx.world.apps.values() if a["_region"] == ctx.region and ctx.world.can_see(ctx.user, a)]
    return json_response({"apps": [app_json(ctx, a) for a in sorted(visible, key=lambda a: a["name"])]})


@router.add("POST", r"/v1/apps")
def apps_create(ctx: Ctx, **_):
    if ctx.world.payment_required:
        raise error(402, "Sorry, you need to verify your account (billing profile and payment card) to create a "
                         "new app", url="https://my.scalingo.com/apps/billing")
    data = ctx.body()
    if not isinstance(data.get("app"), dict):
        raise invalid({"app": ["missing field"]})
    name = data["app"].get("name")
    problems = name_errors(ctx.world, name)
    if problems:
        raise invalid({"name": problems})
    app = ctx.world.add_app(name, ctx.user, region=ctx.region, status="new", deployed=False)
    body = {"app": app_json(ctx, app)}
    if (ctx.request.header("X-Dry-Run") or "").lower() == "true":  # validate only
        del ctx.world.apps[app["id"]]
        ctx.world.events = [e for e in ctx.world.events if e["app_id"] != app["id"]]
    return json_response(body, 201)


@router.add("GET", APP)
def apps_show(ctx: Ctx, ref):
    return json_response({"app": app_json(ctx, ctx.app(ref))})


@router.add("PATCH PUT", APP)
def apps_update(ctx: Ctx, ref):
    """PATCH or PUT, rooted `{"app":{…}}` (DD, RB) or unrooted (GO); transfer when `current_name` is given."""
    app = ctx.app(ref)
    data = ctx.body()
    settings = data["app"] if isinstance(data.get("app"), dict) else data
    current = data.get("current_name") or ctx.request.arg("current_name")
    if "owner" in settings or current is not None:
        if current != app["name"]:
            raise invalid({"current_name": ["Provided name does not match app name"]})
        owner = next((ctx.world.users[c["user_id"]] for c in app["_collaborators"]
                      if c["email"] == settings.get("owner") and c.get("user_id") in ctx.world.users), None)
        if owner is None:
            raise invalid({"owner": ["should be a collaborator of the app"]})
        app["_owner"], app["owner"] = owner["id"], ctx.world.user_ref(owner)
        ctx.world.record(app, ctx.user, "transfer_app", {"old_owner": ctx.user and ctx.world.user_ref(ctx.user),
                                                         "new_owner": app["owner"]})
    if "stack_id" in settings and settings["stack_id"] != app["stack_id"]:
        raise not_found("stack")
    for key in ("force_https", "sticky_session", "router_logs"):
        if key in settings:
            app[key] = bool(settings[key])
    ctx.world.touch(app)
    ctx.world.record(app, ctx.user, "edit_app", {k: v for k, v in settings.items() if k != "owner"})
    return json_response({"app": app_json(ctx, app)})


@router.add("POST", APP + r"/rename")
def apps_rename(ctx: Ctx, ref):
    app = ctx.app(ref)
    data = ctx.body()
    if data.get("current_name") != app["name"]:
        raise invalid({"current_name": ["Provided name does not match app name"]})
    problems = name_errors(ctx.world, data.get("new_name"), exclude=app["id"])
    if problems:
        raise invalid({"name": problems})
    old, app["name"] = app["name"], data["new_name"]
    for key in ("url", "base_url", "git_url"):
        app[key] = app[key].replace(old, app["name"])
    ctx.world.touch(app)
    ctx.world.record(app, ctx.user, "rename_app", {"old_name": old, "new_name": app["name"]})
    return json_response({"app": app_json(ctx, app)})


@router.add("DELETE", APP)
def apps_delete(ctx: Ctx, ref):
    app = ctx.app(ref)
    if ctx.request.arg("current_name") != app["name"]:
        raise invalid({"current_name": ["Provided name does not match app name"]})
    ctx.world.remove_app(app, ctx.user)
    return Response(204, b"")


# -- formation, scale, restart, operations ---------------------------------------------------
@router.add("GET", APP + r"/containers")
def formation(ctx: Ctx, ref):
    return json_response({"containers": ctx.world.formation_json(ctx.app(ref))})


@router.add("GET", APP + r"/ps")
def ps(ctx: Ctx, ref):
    app = ctx.app(ref)
    return json_response({"containers": [ctx.world.container_json(c) for c in app["_containers"]]})


@router.add("GET", r"/v1/features/container_sizes", auth=False)
def container_sizes(ctx: Ctx, **_):
    return json_response({"container_sizes": [size_json(name) for name, *_ in SIZES]})


def refuse_when_busy(app: dict) -> None:
    # Undocumented (reference §4, uncertain f): "no other operation is doable until the app
    # status has switched to 'running' again". We answer 409 with the usual error body.
    if app["status"] in BUSY_STATUSES:
        raise error(409, f"app is {app['status']}, wait for the current operation to finish")


def location(ctx: Ctx, ref: str, op: dict) -> dict:
    # The recording echoes the app reference as the request spelled it (name or id).
    return {"Location": f"{ctx.base}/v1/apps/{ref}/operations/{op['id']}"}


@router.add("POST", APP + r"/scale")
def scale(ctx: Ctx, ref):
    app = ctx.app(ref)
    wanted = ctx.body().get("containers")
    if not isinstance(wanted, list) or not wanted or not all(isinstance(c, dict) for c in wanted):
        raise invalid({"containers": ["can't be blank"]})
    current = {entry["name"]: entry for entry in app["_formation"]}
    problems: dict[str, list[str]] = {}
    for entry in wanted:
        name, amount, size = entry.get("name"), entry.get("amount"), entry.get("size") or ""
        if name not in current:
            raise not_found("container_type")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            problems[f"container-{name}-amount"] = ["must be a positive integer"]
        elif amount > MAX_PER_TYPE:
            problems[f"container-{name}-amount"] = [
                f"can't scale over {MAX_PER_TYPE} containers, contact us at support@scalingo.com if you need more"]
        if size and size not in SIZE_NAMES:
            problems[f"container-{name}-size"] = [f"'{size}' is not a valid container size"]
    if problems:
        raise invalid(problems)
    refuse_when_busy(app)
    before = {e["name"]: f"{e['amount']}:{e['size']}" for e in app["_formation"]}
    for entry in wanted:
        current[entry["name"]]["amount"] = entry["amount"]
        if entry.get("size"):
            current[entry["name"]]["size"] = entry["size"]
    after = {e["name"]: f"{e['amount']}:{e['size']}" for e in app["_formation"]}
    ctx.world.record(app, ctx.user, "scale", {"previous_containers": before, "containers": after})
    body = {"containers": ctx.world.formation_json(app)}
    if app["status"] == "new":  # never deployed: nothing to start, so no operation (GO AppsScale)
        return json_response(body, 200)
    op = ctx.world.start_operation(app, "scale")
    return json_response(body, 202, **location(ctx, ref, op))


@router.add("POST", APP + r"/restart")
def restart(ctx: Ctx, ref):
    app = ctx.app(ref)
    scope = ctx.body().get("scope") or None
    if scope is not None:
        if not isinstance(scope, list):
            raise invalid({"scope": ["should be a list of container types or names"]})
        known = {e["name"] for e in app["_formation"]} | {c["label"] for c in app["_containers"]}
        unknown = [f"'{s}' \u2192 no such process type" for s in scope if s not in known]
        if unknown:
            raise invalid({"scope": unknown})
    refuse_when_busy(app)
    ctx.world.record(app, ctx.user, "restart", {"scope": scope, "reason": "user_restart"})
    op = ctx.world.start_operation(app, "restart", scope=scope)
    return Response(202, b"", location(ctx, ref, op), "text/plain; charset=utf-8")


@router.add("GET", APP + r"/operations/(?P<op_id>[^/]+)")
def operation(ctx: Ctx, ref, op_id):
    app = ctx.app(ref)
    op = ctx.world.operations.get(op_id)
    if op is None or op["app_id"] != app["id"]:
        raise not_found("operation")
    return json_response({"operation": public(op)})


# -- stats and metrics -------------------------------------------------------------------
@router.add("GET", APP + r"/stats")
def stats(ctx: Ctx, ref):
    return json_response({"stats": ctx.world.stats_json(ctx.app(ref))})


@router.add("GET", APP + r"/stats/(?P<metric>[a-z_]+)(?:/(?P<kind>[a-z0-9_-]+)(?:/(?P<index>\d+))?)?")
def metric_series(ctx: Ctx, ref, metric, kind=None, index=None):
    """A bare JSON array, the documented exception to rooted JSON."""
    app = ctx.app(ref)
    if metric not in ("cpu", "memory", "swap", "router", "requests"):
        raise error(400, f"'{metric}' is not a valid metric")
    if metric in ("cpu", "memory", "swap"):
        if not kind:
            raise error(400, "'container' should be defined")
        if kind not in {e["name"] for e in app["_formation"]}:
            raise not_found("container_type")
        if index and not any(c["type"] == kind and c["type_index"] == int(index) for c in app["_containers"]):
            raise not_found("container")
    elif app["status"] == "new" or not any(c["type"] == "web" for c in app["_containers"]):
        raise error(404, "no metrics found")  # recorded: an app without traffic has no router data
    try:
        since = min(72.0, max(0.1, float(ctx.request.arg("since") or 3)))
    except ValueError:
        raise error(400, "'since' should be a number of hours") from None
    points = ctx.world.series(app, metric, kind, int(index) if index else None, since_hours=since,
                              status_code=ctx.request.arg("status_code"))
    if (ctx.request.arg("last") or "").lower() == "true":
        points = points[-1:]
    return json_response(points)


@router.add("GET", r"/v1/features/metrics", auth=False)
def metric_catalogue(ctx: Ctx, **_):
    return json_response({"metrics": [
        {"id": "cpu", "label": "CPU", "suffix": "%", "type": "global"},
        {"id": "memory", "label": "RAM", "suffix": "%", "type": "global"},
        {"id": "swap", "label": "Swap", "suffix": "%", "type": "global"},
        {"id": "p95_response_time", "label": "Response Time", "suffix": "ms", "type": "router"},
        {"id": "5XX", "label": "5xx Errors", "suffix": "", "type": "router"},
        {"id": "all", "label": "Requests per Minute", "suffix": "rpm", "type": "router"},
        {"id": "rpm_per_container", "label": "RPM per Container", "suffix": "rpm", "type": "router"}]})
