from vendors.core import registry


def _may_audit(request) -> bool:
    """Whether the Audit link leads somewhere for this user (team admins and superusers): no link answers 403."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    from console.teams.models import Membership, Role

    return user.is_superuser or Membership.objects.filter(user=user, role=Role.ADMIN).exists()


def console(request):
    """Navigation of every registered vendor, and the CSP nonce under the name django-htmx reads."""
    return {
        "may_audit": lambda: _may_audit(request),  # evaluated only by a page that draws the navigation
        "vendor_nav": [(spec.label, spec.nav) for spec in registry.vendors() if spec.nav],
        "vendor_css": [path for path in registry.assets() if path.endswith(".css")],
        "vendor_js": [path for path in registry.assets() if path.endswith(".js")],
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
