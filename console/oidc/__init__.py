"""Sign-in through an OpenID Connect provider (authorization code flow with PKCE).

mozilla-django-oidc carries the flow (state, nonce and PKCE verifier kept in the session,
the redirect and the callback); this package gives it what it lacks for us: endpoints read
from the issuer's discovery document (`discovery`), ID tokens checked for signature, issuer,
audience, expiry and nonce (`tokens`), users matched by a configurable claim and their team
memberships set from the groups claim at every sign-in (`services`), and any refusal shown
as a sentence on the login page (`views`). Enabled when OIDC_ISSUER is set.
"""
