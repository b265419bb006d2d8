"""The auth service (tokens, regions, users/self; DD tokens.md, regions.md) and the 2015
legacy sign-in (OLD index.md). Both live on the simulator's one host."""

from __future__ import annotations

import time

from vendors.core.simulator import json_response
from vendors.scalingo.simulator.routing import Ctx, error, invalid, router
from vendors.scalingo.simulator.world import REGIONS, iso, public


@router.add("POST", r"/v1/tokens/exchange", auth=False)
def tokens_exchange(ctx: Ctx, **_):
    """Basic auth with an empty user and the API token as password; no body."""
    basic = ctx.sim.credentials.check_basic(ctx.request.header("Authorization") or "")
    jwt = ctx.sim.credentials.exchange(basic[1]) if basic and not basic[0] else None
    if jwt is None:
        raise error(401, "Invalid credentials")
    return json_response({"token": jwt})


@router.add("POST", r"/v1/tokens", auth=False)
def tokens_create(ctx: Ctx, **_):
    """Mint an API token with Basic `login:password`; its value is shown only here."""
    basic = ctx.sim.credentials.check_basic(ctx.request.header("Authorization") or "")
    user = ctx.world.user_by_login(basic[0]) if basic else None
    if user is None or user["_password"] != basic[1]:
        raise error(401, "Invalid credentials")
    name = (ctx.body().get("token") or {}).get("name") or "API token"
    token = ctx.sim.add_api_token(user)
    return json_response({"token": {"id": ctx.world.uuid(), "name": name, "created_at": iso(time.time()),
                                    "last_used_at": None, "issued_at": iso(time.time()), "token": token}}, 201)


@router.add("GET", r"/v1/regions", auth=False)
def regions(ctx: Ctx, **_):
    """Every region points back at this simulator; non-public ones only for a signed-in caller."""
    signed_in = ctx.sim.authenticate(ctx) is not None
    out = []
    for name, (display_name, listed, prefix) in REGIONS.items():
        if listed or signed_in:
            host = ctx.host.split("://", 1)[1]
            out.append({"name": name, "display_name": display_name, "api": ctx.host + prefix,
                        "dashboard": ctx.host + prefix, "database_api": ctx.host + prefix + "/db-api",
                        "ssh": f"{host.split(':')[0]}:22", "default": name == "osc-fr1"})
    return json_response({"regions": out})


@router.add("GET", r"/v1/users/self")
def users_self(ctx: Ctx, **_):
    return json_response({"user": {**public(ctx.user), "tos_accepted": True, "unconfirmed_email": None,
                                   "suspended_at": None, "suspension_reason": None}})


@router.add("POST", r"/v1/users/sign_in", auth=False)
def users_sign_in(ctx: Ctx, **_):
    """Legacy (2015): login and password for an `authentication_token` used with Basic auth."""
    spec = ctx.body().get("user")
    if not isinstance(spec, dict):
        raise invalid({"user": ["missing field"]})
    user = ctx.world.user_by_login(spec.get("login") or "")
    if user is None or user["_password"] != spec.get("password"):
        raise error(401, "Invalid credentials")
    token = ctx.sim.credentials.sign_in(user["id"])
    return json_response({"authentication_token": token, "user": public(user)}, 201)


@router.add("GET", r"/v1/tokens")
def tokens_list(ctx: Ctx, **_):
    mine = [t for t, user_id in ctx.sim.credentials.api_tokens.items() if user_id == ctx.user["id"]]
    return json_response({"tokens": [{"id": f"tok-{i}", "name": f"token {i}", "created_at": ctx.user["created_at"],
                                      "last_used_at": iso(time.time()), "issued_at": iso(time.time())}
                                     for i, _ in enumerate(mine, 1)]})
