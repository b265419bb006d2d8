"""What an APIv2 poll reads of an environment, each in the fewest requests the API allows (scalr.md A4, A7).

The environment-wide `servers/` list replaces one servers list per farm; the event log is read for
the whole environment, newest first, only as far back as what is stored. What has no
environment-wide listing (a farm's farm roles, a role's images, a script's versions) is read one
object at a time, for the objects the poll chose (`sync.rotation`).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from vendors.scalr.client import apiv2_json as j
from vendors.scalr.client import records as r

#: the largest page APIv2 serves (maxResults 1..100)
MAX_PAGE = 100


def page_links(next_link: str, last_link: str) -> list[str]:
    """Every page from `next` to `last`, as the server builds its links (same query, another pageNum)."""
    split, last = urlsplit(next_link), dict(parse_qsl(urlsplit(last_link).query))
    query = dict(parse_qsl(split.query, keep_blank_values=True))
    try:
        first, final = int(query["pageNum"]), int(last["pageNum"])
    except (KeyError, ValueError):
        return []
    return [f"{split.path}?{urlencode({**query, 'pageNum': str(n)}, quote_via=quote)}"
            for n in range(first, final + 1)]


class InventoryReads:
    """Mixed into `ScalrV2Client`: uses its `_list`, `_get`, `_user` and role-name cache."""

    def list_servers(self, *, env_id: int) -> list[r.Server]:
        """Every server of the environment in one listing (`?farm=` would be one listing per farm)."""
        return [j.server(s) for s in self._list(self._user(env_id, "/servers/"))]

    def list_farm_roles(self, *, env_id: int, farm_id: int, servers: tuple[r.Server, ...] = ()
                        ) -> tuple[r.FarmRole, ...]:
        listed = self._list(self._user(env_id, f"/farms/{int(farm_id)}/farm-roles/"))
        names = self._role_names.get(env_id) or {}
        return tuple(j.farm_role(data, farm_id=farm_id, role_names=names, servers=servers) for data in listed)

    def list_role_records(self, *, env_id: int) -> list[r.Role]:
        """The roles, their images not read (`images` None): one request per role, see `role_images`."""
        roles = self._list(self._user(env_id, "/roles/"))
        self._role_names[env_id] = {int(x["id"]): x["name"] for x in roles}  # farm roles are named with them
        return [r.Role(id=int(x["id"]), name=x["name"], os_id=j.ref_id(x.get("os")), images=None) for x in roles]

    def list_images(self, *, env_id: int) -> dict[str, dict]:
        return {i["id"]: i for i in self._list(self._user(env_id, "/images/"))}

    def role_images(self, *, env_id: int, role_id: int, images: dict[str, dict]) -> tuple[r.RoleImage, ...]:
        links = self._list(self._user(env_id, f"/roles/{int(role_id)}/images/"))
        linked = [images[j.ref_id(link.get("image"))] for link in links if j.ref_id(link.get("image")) in images]
        return tuple(r.RoleImage(i.get("cloudImageId") or "", i.get("cloudPlatform") or "", i.get("cloudLocation") or "")
                     for i in linked)

    def list_script_records(self, *, env_id: int) -> list[r.Script]:
        """The scripts with `lastChanged`, their versions not read (`latest_revision` None)."""
        return [r.Script(id=int(s["id"]), name=s["name"], description=s.get("description") or "",
                         latest_revision=None, last_changed=j.parse_time(s.get("lastChanged")))
                for s in self._list(self._user(env_id, "/scripts/"))]

    def script_latest_revision(self, *, env_id: int, script_id: int) -> int:
        versions = self._list(self._user(env_id, f"/scripts/{int(script_id)}/script-versions/"))
        return max((int(v["version"]) for v in versions), default=0)

    def event_log(self, *, env_id: int, since: dt.datetime | None, pages: int) -> list[r.Event]:
        """The environment's events, newest first (7.x): back to `since` (the newest stored), or the
        newest `pages` pages when nothing is stored. Later pages are read only when the first is all new."""
        path = self._user(env_id, "/event-logs/")
        page = self._get(path, {"maxResults": MAX_PAGE, "pageNum": 1})
        events = [j.event(e) for e in page.get("data") or []]
        links = page.get("pagination") or {}
        if since is None:
            if links.get("next") and links.get("last") and pages > 1:
                for later in self._pages(page_links(links["next"], links["last"])[:pages - 1]):
                    events += [j.event(e) for e in later.get("data") or []]
            return events
        read = 1
        while links.get("next") and read < pages and events and events[-1].timestamp and events[-1].timestamp > since:
            link = urlsplit(links["next"])
            page = self._get(f"{link.path}?{link.query}")
            events += [j.event(e) for e in page.get("data") or []]
            links, read = page.get("pagination") or {}, read + 1
        return [e for e in events if e.timestamp is None or e.timestamp >= since]
