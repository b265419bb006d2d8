"""Data sets for the simulator: the demo (a few dozen apps with a history) and bulk apps
for benchmarks."""

from __future__ import annotations

import time

from vendors.scalingo.simulator.routes_resources import PROVIDERS, find_plan, new_addon, new_collaborator, new_domain

DAY = 86400.0
NAMES = [
    "billing-api", "billing-worker", "storefront", "storefront-admin", "search-indexer", "mailer-service",
    "auth-gateway", "reports-batch", "pdf-renderer", "mobile-backend", "partner-portal", "status-page",
    "image-resizer", "payments-webhooks", "catalog-sync", "customer-support", "analytics-collector",
    "feature-flags", "legacy-crm", "notifications-hub", "inventory-api", "staging-storefront", "docs-site",
    "marketing-site", "data-export", "geo-lookup", "chat-backend", "audit-trail", "sandbox-playground",
    "hds-records", "secure-vault-api", "medical-portal",
]
# status by position: mostly running, a few of each other state, one restarting
STATUSES = {3: "stopped", 11: "stopped", 17: "crashed", 24: "crashed", 8: "new", 22: "new", 28: "new",
            13: "restarting", 20: "stopped", 26: "crashed"}


def _formation(rng, index: int) -> list[dict]:
    formation = [{"name": "web", "command": "", "amount": rng.randint(1, 4), "size": rng.choice(["S", "M", "M", "L"])}]
    if index % 3 == 0:
        formation.append({"name": "worker", "command": "node worker.js", "amount": rng.randint(1, 3), "size": "M"})
    if index % 5 == 0:
        formation.append({"name": "clock", "command": "node cron.js", "amount": 1, "size": "S"})
    return formation


def populate_demo(sim) -> None:
    world, rng, now = sim.world, sim.rng, time.time()
    for index, name in enumerate(NAMES):
        region = "osc-secnum-fr1" if name.startswith(("hds-", "secure-", "medical-")) or index % 7 == 6 else "osc-fr1"
        owner = sim.partner if index % 5 == 4 else sim.ops
        status = STATUSES.get(index, "running")
        created = now - rng.uniform(20, 400) * DAY
        app = world.add_app(name, owner, region=region, status=status, formation=_formation(rng, index),
                            created=created, router_logs=index % 4 == 0)
        if owner is sim.partner and index % 10 != 9:  # most partner apps are shared with ops; a few are not
            new_collaborator(world, app, sim.ops["email"], user=sim.ops)
        if status == "new":
            continue
        _history(sim, app, owner, created, now)
        if status == "restarting":
            world.start_operation(app, "restart", scope=None)
    world.add_app("empty-sandbox", sim.ops, status="new", deployed=False)


def _history(sim, app: dict, owner: dict, created: float, now: float) -> None:
    world, rng = sim.world, sim.rng
    for day in sorted(rng.sample(range(1, 19), rng.randint(1, 4)), reverse=True):
        world.add_deployment(app, owner, status="success", created=now - day * DAY)
    if rng.random() < 0.3:
        failed = world.add_deployment(app, owner, status="success", created=now - 0.5 * DAY)
        failed.update(status="build-error", duration=31)
        failed["_output"].append("\x1b[31m !!  npm ERR! missing script: build\x1b[0m")
    for name, value in [("NODE_ENV", "production"), ("LOG_LEVEL", rng.choice(["info", "debug"])),
                        ("WEB_CONCURRENCY", str(rng.randint(1, 4)))]:
        app["_variables"].append({"id": world.object_id(), "app_id": app["id"], "name": name, "value": value})
        world.record(app, owner, "new_variable", {"name": name, "value": value}, created + 30)
    for provider in rng.sample(sorted(PROVIDERS), rng.randint(0, 2)):
        plan = find_plan(provider, f"{provider}-{PROVIDERS[provider][2][1]}")
        addon = new_addon(world, app, provider, plan, status="running")
        world.record(app, owner, "new_addon", {"addon_provider_name": addon["addon_provider"]["name"],
                                               "plan_name": plan["display_name"],
                                               "resource_id": addon["resource_id"]}, created + 40)
    for i in range(rng.randint(0, 2)):
        domain = new_domain(world, app, f"{'www.' if i == 0 else 'api.'}{app['name']}.example.com", canonical=i == 0)
        world.record(app, owner, "new_domain", {"hostname": domain["name"], "ssl": True}, created + 50)
    for email in rng.sample(["dev@example.com", "contractor@example.net", "qa@example.com"], rng.randint(0, 2)):
        new_collaborator(world, app, email)
        world.record(app, owner, "new_collaborator", {"collaborator": {"email": email, "username": "n/a"}},
                     created + 60)
    for _ in range(rng.randint(1, 4)):
        when = now - rng.uniform(0.05, 15) * DAY
        web = next(e for e in app["_formation"] if e["name"] == "web")
        before = f"{max(1, web['amount'] - 1)}:{web['size']}"
        if rng.random() < 0.5:
            world.record(app, owner, "scale", {"previous_containers": {"web": before},
                                               "containers": {"web": f"{web['amount']}:{web['size']}"}}, when)
        else:
            world.record(app, owner, "restart", {"scope": ["web"], "reason": "user_restart"}, when)
    for _ in range(8):
        world.chatter(app)


def populate_bulk(sim, count: int) -> None:
    """`count` running apps for the ops user, spread over both regions; small and fast to build."""
    for index in range(count):
        sim.world.add_app(f"bench-app-{index:05d}", sim.ops, region="osc-secnum-fr1" if index % 4 == 3 else "osc-fr1",
                          formation=_formation(sim.rng, index), created=time.time() - DAY)
