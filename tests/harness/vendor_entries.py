"""A `provision` entry per vendor with a canary in every secret, for tests about where secrets go.

    provision({"connections": [entry("scalr", team, catcher.url)]}, environ=environ("scalr"))
"""

from __future__ import annotations

from vendors.core import registry

#: what each vendor's connection needs besides its URL and secrets (YAML keys of `provision`)
EXTRA = {"widgets": {}, "scalingo": {"region": "", "auth_url": "{url}"}, "scalr": {"api": "v2"},
         "scalyr": {"region": "us"}}
VENDORS = tuple(EXTRA)


def canaries(vendor: str) -> dict[str, str]:
    """secret name -> a value that must surface only where it was entered for."""
    return {name: f"canary-{vendor}-{name}-5e1d" for name in registry.get(vendor).secret_fields}


def entry(vendor: str, team, where: str, *, with_secrets: bool = True, **changes) -> dict:
    """The vendor's connection at `where` (Scalingo's auth service too), its secrets named by `*_env` keys."""
    extra = {key: value.format(url=where) for key, value in EXTRA[vendor].items()}
    secrets = {f"{name}_env": f"SECRET_{name.upper()}" for name in canaries(vendor)} if with_secrets else {}
    return {"vendor": vendor, "name": f"{vendor}-prod", "team": team.name, "url": where, **extra, **secrets,
            **changes}


def environ(vendor: str) -> dict[str, str]:
    """The environment `entry`'s `*_env` keys read."""
    return {f"SECRET_{name.upper()}": value for name, value in canaries(vendor).items()}
