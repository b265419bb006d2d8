"""The OpenID provider fixtures (tests/oidc/idp.py), and a provider that misbehaves on purpose."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.oidc.idp import idp, oidc_provider  # noqa: F401  (fixtures)


class BrokenIssuer:
    """An issuer whose discovery document is whatever the test sets: `answer = (status, headers, body)`."""

    def __init__(self):
        self.answer = (200, {}, b"{}")
        self.requests = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests += 1
                status, headers, body = owner.answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def discovery(self, **overrides):
        document = {"issuer": self.url, "authorization_endpoint": f"{self.url}/auth",
                    "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks", **overrides}
        self.answer = (200, {"Content-Type": "application/json"}, json.dumps(document).encode())


@pytest.fixture
def broken_issuer(settings):
    from django.core.cache import cache

    issuer = BrokenIssuer()
    thread = threading.Thread(target=issuer.server.serve_forever, daemon=True)
    thread.start()
    settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = issuer.url, "ops-console", "s3cret"
    settings.OIDC_PROVIDER_NAME = "Keycloak"
    cache.clear()
    yield issuer
    issuer.server.shutdown()
    issuer.server.server_close()
