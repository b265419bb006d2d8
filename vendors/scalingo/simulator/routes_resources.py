"""Environment variables, addons, domains and collaborators (DD environment.md, addons.md,
domains.md, collaborators.md; shapes from the 2020 recordings)."""

from __future__ import annotations

import hashlib
import re
import secrets
import time

from vendors.core.simulator import Response, json_response
from vendors.scalingo.simulator.routing import APP, Ctx, error, invalid, not_found, router
from vendors.scalingo.simulator.world import iso, public

# -- variables -------------------------------------------------------------------------------


def variable_problems(name, value) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not name:
        problems["name"] = ["can't be blank", "must start with a letter"]
    elif not re.match(r"[A-Za-z]", name):
        problems["name"] = ["must start with a letter"]
    elif len(name) > 64:
        problems["name"] = ["is too long (maximum is 64 characters)"]
    if value is None or value == "":
        problems["value"] = ["can't be blank"]
    elif len(str(value)) > 8192:
        problems["value"] = ["is too long (maximum is 8192 characters)"]
    return problems


def _upsert(ctx: Ctx, app: dict, name: str, value: str) -> tuple[dict, str | None]:
    """Create or update by name; returns the variable and its old value (None when new)."""
    existing = next((v for v in app["_variables"] if v["name"] == name), None)
    if existing:
        old, existing["value"] = existing["value"], value
        return existing, old
    variable = {"id": ctx.world.object_id(), "app_id": app["id"], "name": name, "value": value}
    app["_variables"].append(variable)
    return variable, None


def _variable(app: dict, variable_id: str) -> dict:
    found = next((v for v in app["_variables"] if v["id"] == variable_id), None)
    if found is None:
        raise not_found("variable")
    return found


@router.add("GET", APP + r"/variables")
def variables_list(ctx: Ctx, ref):
    app = ctx.app(ref)
    by_name = {v["name"]: v["value"] for v in app["_variables"]}
    resolve = (ctx.request.arg("aliases") or "true").lower() == "false"

    def shown(variable):
        value = variable["value"]
        if resolve and value.startswith("$") and value[1:] in by_name:  # aliases=false resolves $OTHER
            value = by_name[value[1:]]
        return {**variable, "value": value}
    return json_response({"variables": [shown(v) for v in app["_variables"]]})


@router.add("POST", APP + r"/variables")
def variables_create(ctx: Ctx, ref):
    app = ctx.app(ref)
    spec = ctx.body().get("variable") or {}
    problems = variable_problems(spec.get("name"), spec.get("value"))
    if problems:
        raise invalid(problems)
    variable, old = _upsert(ctx, app, spec["name"], str(spec["value"]))
    if old is None:
        ctx.world.record(app, ctx.user, "new_variable", {"name": variable["name"], "value": variable["value"]})
    else:
        ctx.world.record(app, ctx.user, "edit_variable", {"name": variable["name"], "value": variable["value"],
                                                          "old_value": old, "addon_name": None})
    return json_response({"variable": variable}, 201 if old is None else 200)


@router.add("PUT", APP + r"/variables")
def variables_bulk_update(ctx: Ctx, ref):
    app = ctx.app(ref)
    specs = ctx.body().get("variables")
    if not isinstance(specs, list):
        raise invalid({"variables": ["can't be blank"]})
    for spec in specs:
        problems = variable_problems((spec or {}).get("name"), (spec or {}).get("value"))
        if problems:
            raise invalid(problems)
    created, updated, out = [], [], []
    for spec in specs:
        variable, old = _upsert(ctx, app, spec["name"], str(spec["value"]))
        (created if old is None else updated).append({"name": variable["name"], "value": variable["value"]})
        out.append(variable)
    ctx.world.record(app, ctx.user, "edit_variables",
                     {"new_vars": created or None, "updated_vars": updated or None, "deleted_vars": None})
    return json_response({"variables": out})


@router.add("PATCH PUT", APP + r"/variables/(?P<variable_id>[^/]+)")
def variables_update(ctx: Ctx, ref, variable_id):
    app = ctx.app(ref)
    variable = _variable(app, variable_id)
    value = (ctx.body().get("variable") or {}).get("value")
    if value is None or value == "":
        raise invalid({"value": ["can't be blank"]})
    old, variable["value"] = variable["value"], str(value)
    ctx.world.record(app, ctx.user, "edit_variable", {"name": variable["name"], "value": variable["value"],
                                                      "old_value": old, "addon_name": None})
    return json_response({"variable": variable})


@router.add("DELETE", APP + r"/variables/(?P<variable_id>[^/]+)")
def variables_delete(ctx: Ctx, ref, variable_id):
    app = ctx.app(ref)
    variable = _variable(app, variable_id)
    app["_variables"].remove(variable)
    ctx.world.record(app, ctx.user, "delete_variable", {"name": variable["name"], "value": variable["value"]})
    return Response(204, b"")


@router.add("DELETE", APP + r"/variables")
def variables_bulk_delete(ctx: Ctx, ref):
    """Ids in a JSON body (DD, JS) or as `variable_ids[]` in the query (the RB recording)."""
    app = ctx.app(ref)
    ids = ctx.request.query.get("variable_ids[]") or ctx.body().get("variable_ids") or []
    doomed = [_variable(app, variable_id) for variable_id in ids]
    for variable in doomed:
        app["_variables"].remove(variable)
    ctx.world.record(app, ctx.user, "edit_variables", {"new_vars": None, "updated_vars": None, "deleted_vars": [
        {"name": v["name"], "value": v["value"]} for v in doomed]})
    return Response(204, b"")


# -- addons ----------------------------------------------------------------------------------
PROVIDERS = {
    "postgresql": ("PostgreSQL", "Databases", ["sandbox", "starter-512", "business-1024"]),
    "redis": ("Redis", "Databases", ["sandbox", "starter-256", "business-512"]),
    "mongodb": ("MongoDB", "Databases", ["sandbox", "starter-512"]),
    "elasticsearch": ("Elasticsearch", "Search", ["sandbox", "starter-1024"]),
}
CATEGORIES = {"Databases": ("54c6819f61646d0001000000", 1), "Search": ("586a6ae13e6b3b0011288ac4", 2)}


def plan_json(provider: str, plan: str, position: int) -> dict:
    return {"id": hashlib.md5(f"{provider}:{plan}".encode()).hexdigest()[:24], "name": f"{provider}-{plan}",
            "display_name": plan.replace("-", " ").title(), "price": 0.0 if plan == "sandbox" else 9.6 * position,
            "description": f"<p>{plan}</p>\n", "position": position, "on_demand": False, "disabled": False,
            "disabled_alternative_plan_id": None, "sku": f"osc-fr1-{provider}-{plan}"}


def provider_json(provider: str) -> dict:
    name, category, plans = PROVIDERS[provider]
    return {"id": provider, "name": name, "logo_url": f"//cdn.scalingo.com/addons/Scalingo_{name}.svg"}


def find_plan(provider: str, plan_id: str | None) -> dict | None:
    plans = [plan_json(provider, p, i) for i, p in enumerate(PROVIDERS[provider][2])]
    return next((p for p in plans if plan_id in (p["id"], p["name"])), None)


def _addon(app: dict, addon_id: str) -> dict:
    found = next((a for a in app["_addons"] if a["id"] == addon_id), None)
    if found is None:
        raise not_found("addon")
    return found


def new_addon(world, app: dict, provider: str, plan: dict, *, status: str = "provisioning") -> dict:
    now = time.time()
    addon = {"id": "ad-" + world.uuid(), "app_id": app["id"],
             "resource_id": f"{app['name'].replace('-', '_')}_{world.rng.randint(1000, 9999)}",
             "addon_provider": provider_json(provider), "plan": plan, "provisioned_at": iso(now),
             "deprovisioned_at": None, "updated_at": iso(now), "status": status, "_next": now + world.operation_seconds}
    app["_addons"].append(addon)
    if status == "provisioning":
        world.moving_apps.add(app["id"])
    return addon


@router.add("GET", APP + r"/addons")
def addons_list(ctx: Ctx, ref):
    return json_response({"addons": [public(a) for a in ctx.app(ref)["_addons"]]})


@router.add("GET", APP + r"/addons/(?P<addon_id>[^/]+)")
def addons_show(ctx: Ctx, ref, addon_id):
    return json_response({"addon": public(_addon(ctx.app(ref), addon_id))})


@router.add("POST", APP + r"/addons")
def addons_provision(ctx: Ctx, ref):
    app = ctx.app(ref)
    spec = ctx.body().get("addon") or {}
    if spec.get("addon_provider_id") not in PROVIDERS:
        raise not_found("addon_provider")
    if not spec.get("plan_id"):
        raise error(400, "plan_id is required")
    plan = find_plan(spec["addon_provider_id"], spec["plan_id"])
    if plan is None:
        raise not_found("plan")
    addon = new_addon(ctx.world, app, spec["addon_provider_id"], plan)
    ctx.world.record(app, ctx.user, "new_addon", {"addon_provider_name": addon["addon_provider"]["name"],
                                                  "plan_name": plan["display_name"],
                                                  "resource_id": addon["resource_id"]})
    message = "Database is being provisioned"
    return json_response({"addon": {**public(addon), "message": message, "variables": None}, "message": message}, 201)


@router.add("PATCH PUT", APP + r"/addons/(?P<addon_id>[^/]+)")
def addons_upgrade(ctx: Ctx, ref, addon_id):
    app = ctx.app(ref)
    addon = _addon(app, addon_id)
    plan = find_plan(addon["addon_provider"]["id"], (ctx.body().get("addon") or {}).get("plan_id"))
    if plan is None:
        raise not_found("plan")
    old, addon["plan"] = addon["plan"], plan
    addon.update(status="provisioning", updated_at=iso(time.time()), _next=time.time() + ctx.world.operation_seconds)
    ctx.world.moving_apps.add(app["id"])
    ctx.world.record(app, ctx.user, "upgrade_addon", {
        "addon_provider_name": addon["addon_provider"]["name"], "old_plan_name": old["display_name"],
        "new_plan_name": plan["display_name"], "resource_id": addon["resource_id"]})
    message = "Database plan is being changed"
    return json_response({"addon": {**public(addon), "message": message, "variables": None},
                          "variables": None, "message": message})


@router.add("DELETE", APP + r"/addons/(?P<addon_id>[^/]+)")
def addons_delete(ctx: Ctx, ref, addon_id):
    app = ctx.app(ref)
    addon = _addon(app, addon_id)
    app["_addons"].remove(addon)
    ctx.world.record(app, ctx.user, "delete_addon", {"addon_provider_name": addon["addon_provider"]["name"],
                                                     "plan_name": addon["plan"]["display_name"],
                                                     "resource_id": addon["resource_id"]})
    return Response(204, b"")


@router.add("GET", r"/v1/addon_providers", auth=False)
def addon_providers(ctx: Ctx, **_):
    out = []
    for provider, (name, category, plans) in PROVIDERS.items():
        category_id, position = CATEGORIES[category]
        out.append({**provider_json(provider), "short_description": f"{name} by Scalingo", "description": "",
                    "category": {"id": category_id, "name": category, "position": position},
                    "provider_name": "Scalingo", "provider_url": "https://scalingo.com", "hds_available": False,
                    "plans": [plan_json(provider, plan, i) for i, plan in enumerate(plans)]})
    return json_response({"addon_providers": out})


@router.add("GET", r"/v1/addon_categories", auth=False)
def addon_categories(ctx: Ctx, **_):
    return json_response({"addon_categories": [
        {"id": cid, "name": name, "description": "", "position": pos} for name, (cid, pos) in CATEGORIES.items()]})


# -- domains ---------------------------------------------------------------------------------
DOMAINS_PER_APP = 20


def _domain(app: dict, domain_id: str) -> dict:
    found = next((d for d in app["_domains"] if d["id"] == domain_id), None)
    if found is None:
        raise not_found("domain")
    return found


def new_domain(world, app: dict, name: str, *, canonical: bool = False, letsencrypt: bool = True) -> dict:
    domain = {"id": world.object_id(), "app_id": app["id"], "name": name, "created_at": iso(time.time()),
              "ssl": letsencrypt, "letsencrypt": letsencrypt, "letsencrypt_enabled": letsencrypt,
              "letsencrypt_status": "created" if letsencrypt else "new", "canonical": canonical,
              "validity": iso(time.time() + 80 * 86400) if letsencrypt else None, "tlscert": None, "tlskey": None,
              "acme_dns_fqdn": None, "acme_dns_value": None, "acme_dns_error": {}, "acme_challenge_error": None}
    app["_domains"].append(domain)
    return domain


@router.add("GET", APP + r"/domains")
def domains_list(ctx: Ctx, ref):
    return json_response({"domains": ctx.app(ref)["_domains"]})


@router.add("GET", APP + r"/domains/(?P<domain_id>[^/]+)")
def domains_show(ctx: Ctx, ref, domain_id):
    return json_response({"domain": _domain(ctx.app(ref), domain_id)})


@router.add("POST", APP + r"/domains")
def domains_create(ctx: Ctx, ref):
    app = ctx.app(ref)
    spec = ctx.body().get("domain") or {}
    name = spec.get("name")
    if not name:
        raise invalid({"name": ["can't be blank"]})
    if any(d["name"] == name for d in app["_domains"]):
        raise invalid({"name": ["has already been taken"]})
    if len(app["_domains"]) >= DOMAINS_PER_APP:
        raise invalid({"app": [f"can't have more than {DOMAINS_PER_APP} domains"]})
    domain = new_domain(ctx.world, app, name, canonical=bool(spec.get("canonical")), letsencrypt=False)
    domain["letsencrypt_enabled"] = spec.get("letsencrypt_enabled", True)
    ctx.world.record(app, ctx.user, "new_domain", {"hostname": name, "ssl": False})
    return json_response({"domain": domain}, 201)


@router.add("PATCH PUT", APP + r"/domains/(?P<domain_id>[^/]+)")
def domains_update(ctx: Ctx, ref, domain_id):
    app = ctx.app(ref)
    domain = _domain(app, domain_id)
    spec = ctx.body().get("domain") or {}
    for key in ("canonical", "letsencrypt_enabled", "tlscert", "tlskey"):
        if key in spec:
            domain[key] = spec[key]
    old_ssl, domain["ssl"] = domain["ssl"], bool(domain.get("tlscert")) or domain["ssl"]
    ctx.world.record(app, ctx.user, "edit_domain", {"hostname": domain["name"], "ssl": domain["ssl"],
                                                    "old_ssl": old_ssl})
    return json_response({"domain": domain})


@router.add("DELETE", APP + r"/domains/(?P<domain_id>[^/]+)")
def domains_delete(ctx: Ctx, ref, domain_id):
    app = ctx.app(ref)
    domain = _domain(app, domain_id)
    app["_domains"].remove(domain)
    ctx.world.record(app, ctx.user, "delete_domain", {"hostname": domain["name"]})
    return Response(204, b"")


# -- collaborators ---------------------------------------------------------------------------
def _collaborator(app: dict, collaborator_id: str) -> dict:
    found = next((c for c in app["_collaborators"] if c["id"] == collaborator_id), None)
    if found is None:
        raise not_found("collaborator")
    return found


def new_collaborator(world, app: dict, email: str, *, user: dict | None = None, limited: bool = False) -> dict:
    token = secrets.token_hex(20)
    collaborator = {"id": world.object_id(), "email": email, "username": user["username"] if user else "n/a",
                    "status": "accepted" if user else "pending", "is_limited": limited,
                    "invitation_link": f"https://my.osc-fr1.scalingo.com/apps/collaboration?token={token}",
                    "app_id": app["id"], "app_name": app["name"], "user_id": user["id"] if user else None}
    app["_collaborators"].append(collaborator)
    return collaborator


@router.add("GET", APP + r"/collaborators")
def collaborators_list(ctx: Ctx, ref):
    return json_response({"collaborators": ctx.app(ref)["_collaborators"]})


@router.add("GET", APP + r"/collaborators/(?P<collaborator_id>[^/]+)")
def collaborators_show(ctx: Ctx, ref, collaborator_id):
    return json_response({"collaborator": _collaborator(ctx.app(ref), collaborator_id)})


@router.add("POST", APP + r"/collaborators")
def collaborators_invite(ctx: Ctx, ref):
    app = ctx.app(ref)
    spec = ctx.body().get("collaborator") or {}
    email = spec.get("email") or ""
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
        raise invalid({"email": ["is invalid"]})
    if any(c["email"] == email for c in app["_collaborators"]):
        raise invalid({"email": ["has already been invited"]})
    collaborator = new_collaborator(ctx.world, app, email, limited=bool(spec.get("is_limited")))
    ctx.world.record(app, ctx.user, "new_collaborator", {"collaborator": {"email": email, "username": "n/a"}})
    return json_response({"collaborator": collaborator}, 201)


@router.add("PATCH PUT", APP + r"/collaborators/(?P<collaborator_id>[^/]+)")
def collaborators_update(ctx: Ctx, ref, collaborator_id):
    collaborator = _collaborator(ctx.app(ref), collaborator_id)
    spec = ctx.body().get("collaborator") or {}
    if "is_limited" in spec:
        collaborator["is_limited"] = bool(spec["is_limited"])
    return json_response({"collaborator": collaborator})


@router.add("DELETE", APP + r"/collaborators/(?P<collaborator_id>[^/]+)")
def collaborators_delete(ctx: Ctx, ref, collaborator_id):
    app = ctx.app(ref)
    collaborator = _collaborator(app, collaborator_id)
    app["_collaborators"].remove(collaborator)
    ctx.world.record(app, ctx.user, "delete_collaborator", {"collaborator": {"email": collaborator["email"]}})
    return Response(204, b"")
