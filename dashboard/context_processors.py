from vendors.core import registry


def console(request):
    """Navigation of every registered vendor, and the CSP nonce under the name django-htmx reads."""
    return {
        "vendor_nav": [(spec.label, spec.nav) for spec in registry.vendors() if spec.nav],
        "vendor_css": [path for path in registry.assets() if path.endswith(".css")],
        "vendor_js": [path for path in registry.assets() if path.endswith(".js")],
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
