"""The outbound policy: which addresses the console may send a vendor request to (against SSRF).

A vendor URL is typed by a team admin, and the console sends it stored secrets and shows what
comes back; without a policy it is a way into the network the console runs in (the cloud's
metadata service at 169.254.169.254, a database on 10.x, the console's own Redis on loopback).
Public addresses are allowed. Loopback, private (RFC 1918, unique-local), link-local,
multicast, unspecified and other reserved addresses are refused unless `CONSOLE_OUTBOUND_ALLOW`
lists them: comma-separated CIDRs, addresses or host names, each optionally with `:port`
(`[v6]:port` for IPv6), as Grafana's `data_source_proxy_whitelist`. A listed host name is
trusted whatever it resolves to.

The check runs twice: when a URL is saved (`check_url`, for the form's message) and at every
new TCP connection (`GuardedBackend`, inside every vendor client's httpx transport), where the
host name is resolved once, every address is checked, and the socket is opened to a checked
address: a DNS answer that changes after the save (rebinding) is caught before any byte is sent.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from vendors.core import errors

SETTING = "CONSOLE_OUTBOUND_ALLOW"
DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$", re.IGNORECASE)
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
#: the most telling name first: 169.254.169.254 is link-local before it is private
_REFUSED = (("an unspecified", lambda a: a.is_unspecified), ("a loopback", lambda a: a.is_loopback),
            ("a link-local", lambda a: a.is_link_local), ("a multicast", lambda a: a.is_multicast),
            ("a unique-local", lambda a: a.version == 6 and a in _UNIQUE_LOCAL),
            ("a private", lambda a: a.is_private), ("a reserved", lambda a: a.is_reserved))


class OutboundRefused(errors.VendorError):
    """The address is outside the outbound policy; nothing was sent (never retried)."""

    kind = "refused"


@dataclass(frozen=True)
class Rule:
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None
    host: str | None
    port: int | None

    def allows(self, *, port: int, address: Address | None = None, host: str | None = None) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return address is not None and address.version == self.network.version and address in self.network
        return host is not None and _host_key(host) == self.host


def _host_key(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def _rule(entry: str) -> Rule:
    host, port = entry, ""
    if entry.startswith("["):  # [v6] or [v6/len], then maybe :port
        host, _, port = entry[1:].partition("]")
        if port and not port.startswith(":"):
            port = "?"
        port = port.removeprefix(":") if port else ""
    elif entry.count(":") == 1:  # name:port or v4:port; a bare IPv6 address has several colons
        host, port = entry.split(":")
    if port and not port.isdigit() or entry.endswith(":"):
        raise ImproperlyConfigured(f"{SETTING}: {entry!r} has a port that is not a number")
    try:
        network = ipaddress.ip_network(host, strict=False)
    except ValueError:
        if not _HOST_NAME.match(host):
            raise ImproperlyConfigured(f"{SETTING}: {entry!r} is neither a CIDR, an address nor a host name") from None
        network = None
    return Rule(network=network, host=None if network else _host_key(host), port=int(port) if port else None)


@functools.lru_cache(maxsize=8)
def _rules(entries: tuple[str, ...]) -> tuple[Rule, ...]:
    return tuple(_rule(entry.strip()) for entry in entries if entry.strip())


def rules() -> tuple[Rule, ...]:
    """The allow-list, read from the setting each time (so a test or the demo may change it)."""
    value = getattr(settings, SETTING, ()) or ()
    return _rules(tuple(value.split(",")) if isinstance(value, str) else tuple(value))


def refusal(address: Address) -> str | None:
    """Why `address` is refused by default ("a loopback address"...), or None when it is public."""
    address = _unmapped(address)
    reason = next((reason for reason, test in _REFUSED if test(address)), None)
    if reason is None and not address.is_global:
        reason = "a non-public"
    return reason and f"{reason} address"


def _unmapped(address: Address) -> Address:
    """An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is the IPv4 address it carries."""
    return getattr(address, "ipv4_mapped", None) or address


def host_allowed(host: str, port: int) -> bool:
    return any(rule.allows(port=port, host=host) for rule in rules())


def check_address(address: Address, port: int, *, host: str | None = None) -> None:
    """Raise OutboundRefused unless a connection to `address`:`port` is allowed."""
    address = _unmapped(address)
    reason = refusal(address)
    if reason is None or any(rule.allows(port=port, address=address) for rule in rules()):
        return
    if host and _host_key(host) != str(address):
        named = f"{host} resolves to {address}, {reason}"
    else:
        named = f"{address} is {reason}"
    raise OutboundRefused(f"{named}; outbound connections to it are refused unless {SETTING} lists it.",
                          code="outboundRefused")


def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` stands for, in the resolver's order (an address literal stands for itself)."""
    try:
        return [ipaddress.ip_address(_host_key(host))]
    except ValueError:
        pass
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in answers))


def check_url(url: str) -> None:
    """The save-time check of a vendor URL. A host name that does not resolve now passes: the
    connection-time check decides when it does."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 443)
    if not host or host_allowed(host, port):
        return
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return
    for address in addresses:
        check_address(address, port, host=host)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend with the policy applied to every new TCP connection."""

    def __init__(self, backend: httpcore.NetworkBackend | None = None):
        self._backend = backend or httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:
        if host_allowed(host, port):
            return self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        for address in addresses:
            check_address(address, port, host=host)
        failure: Exception | None = None
        for address in addresses:  # as socket.create_connection would, over the checked addresses only
            try:
                return self._backend.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise OutboundRefused(f"Unix sockets are not vendor addresses ({path}).", code="outboundRefused")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def guarded_transport(**options) -> httpx.HTTPTransport:
    """An httpx transport whose every connection goes through `GuardedBackend`. httpx takes no
    network backend, so the one its connection pool was built with is replaced before any use."""
    transport = httpx.HTTPTransport(**options)
    pool = transport._pool
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx/httpcore changed: the outbound policy cannot guard this transport")
    pool._network_backend = GuardedBackend()
    return transport
