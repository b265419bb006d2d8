"""The address of the client behind the reverse proxies, for the login rate limit (django-axes).

Each proxy in front of the console appends the address it was connected from to
X-Forwarded-For (nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`). With
`CONSOLE_PROXY_COUNT` proxies, the last that many entries were written by our own proxies, so
the one `CONSOLE_PROXY_COUNT` places from the right is the client; whatever stands left of it
came from the client itself and is ignored (a forged header cannot choose the address counted).
django-ipware reads the header the other way round (it counts the proxies *inside* the header),
hence this function instead of `AXES_IPWARE_*`.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.CONSOLE_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote  # did not come through every proxy: the socket's address is all we know
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
