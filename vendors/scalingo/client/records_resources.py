"""Records of what an app has besides its containers: variables, addons, domains and
collaborators (see records.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vendors.scalingo.client.records import parse_time, str_or_none

@dataclass(frozen=True)
class Variable:
    id: str
    name: str
    value: str
    app_id: str | None = None

    @classmethod
    def from_json(cls, data: dict) -> "Variable":
        return cls(id=data["id"], name=data["name"], value=str_or_none(data.get("value")) or "",
                   app_id=data.get("app_id"))


@dataclass(frozen=True)
class Addon:
    id: str
    status: str
    provider_id: str
    provider_name: str
    plan_id: str | None
    plan_name: str | None
    plan_display_name: str | None
    app_id: str | None = None
    resource_id: str | None = None
    logo_url: str | None = None
    provisioned_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict) -> "Addon":
        provider = data.get("addon_provider") or {}
        plan = data.get("plan") or {}
        logo = provider.get("logo_url")
        if logo and logo.startswith("//"):  # protocol-relative on the wire
            logo = "https:" + logo
        return cls(id=data["id"], status=data.get("status") or "unknown", provider_id=provider.get("id") or "",
                   provider_name=provider.get("name") or "", plan_id=plan.get("id"), plan_name=plan.get("name"),
                   plan_display_name=plan.get("display_name"), app_id=data.get("app_id"),
                   resource_id=data.get("resource_id"), logo_url=logo,
                   provisioned_at=parse_time(data.get("provisioned_at")))


@dataclass(frozen=True)
class AddonPlan:
    id: str
    name: str
    display_name: str
    price: float | None = None

    @classmethod
    def from_json(cls, data: dict) -> "AddonPlan":
        price = data.get("price")
        return cls(id=data["id"], name=data["name"], display_name=data.get("display_name") or data["name"],
                   price=None if price is None else float(price))


@dataclass(frozen=True)
class AddonProvider:
    id: str
    name: str
    category: str | None
    plans: tuple[AddonPlan, ...]
    logo_url: str | None = None

    @classmethod
    def from_json(cls, data: dict) -> "AddonProvider":
        logo = data.get("logo_url")
        return cls(id=data["id"], name=data.get("name") or data["id"],
                   category=(data.get("category") or {}).get("name"),
                   plans=tuple(AddonPlan.from_json(p) for p in data.get("plans") or ()),
                   logo_url="https:" + logo if logo and logo.startswith("//") else logo)


@dataclass(frozen=True)
class Domain:
    id: str
    name: str
    ssl: bool = False
    canonical: bool = False
    letsencrypt_enabled: bool = False
    letsencrypt_status: str | None = None
    validity: datetime | None = None
    created_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict) -> "Domain":
        return cls(id=data["id"], name=data["name"], ssl=bool(data.get("ssl")), canonical=bool(data.get("canonical")),
                   letsencrypt_enabled=bool(data.get("letsencrypt_enabled")),
                   letsencrypt_status=data.get("letsencrypt_status"), validity=parse_time(data.get("validity")),
                   created_at=parse_time(data.get("created_at")))


@dataclass(frozen=True)
class Collaborator:
    id: str
    email: str
    status: str
    username: str | None = None
    user_id: str | None = None
    is_limited: bool = False

    @classmethod
    def from_json(cls, data: dict) -> "Collaborator":
        return cls(id=data["id"], email=data.get("email") or "", status=data.get("status") or "unknown",
                   username=data.get("username"), user_id=data.get("user_id"), is_limited=bool(data.get("is_limited")))
