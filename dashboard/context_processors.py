from django.urls import reverse

from vendors.core import registry

#: the console's own sections after the vendors' (base.html draws them in this order)
SECTIONS = ("overview:timeline", "alerts:list", "core:connection-list", "teams:list", "audit:list", "tokens:list")


def _may_audit(request) -> bool:
    """Whether the Audit link leads somewhere for this user (team admins and superusers): no link answers 403."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    from console.teams.models import Membership, Role

    return user.is_superuser or Membership.objects.filter(user=user, role=Role.ADMIN).exists()


def _nav_current(path: str) -> str:
    """The URL of the one navigation section a page belongs to: the longest section URL the path starts
    with; a vendor's other pages (its servers, its connection page) count as its first section; any
    other page (search) as the overview."""
    sections = [reverse(entry.url_name) for spec in registry.vendors() for entry in spec.nav]
    sections += [reverse(name) for name in SECTIONS]
    if path.startswith("/incidents/"):
        return reverse("overview:timeline")  # an incident is a window of the timeline (its breadcrumb says so)
    matches = [url for url in sections if path.startswith(url)]
    if matches:
        return max(matches, key=len)
    for spec in registry.vendors():
        if spec.nav and path.startswith(f"/{spec.name}/"):
            return reverse(spec.nav[0].url_name)
    return reverse("overview:home")


def console(request):
    """Navigation of every registered vendor, and the CSP nonce under the name django-htmx reads."""
    return {
        "may_audit": lambda: _may_audit(request),  # evaluated only by a page that draws the navigation
        "nav_current": _nav_current(request.path),
        "vendor_nav": [(spec.label, spec.nav) for spec in registry.vendors() if spec.nav],
        "vendor_css": [path for path in registry.assets() if path.endswith(".css")],
        "vendor_js": [path for path in registry.assets() if path.endswith(".js")],
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
