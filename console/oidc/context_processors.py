from console.oidc import config


def oidc(request) -> dict:
    """What the login page needs to offer the provider's button."""
    if not config.oidc_enabled():
        return {}
    return {"oidc_sign_in": f"Sign in with {config.provider_name() or 'single sign-on'}"}
