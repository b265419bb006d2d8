"""The OIDC views without a browser: off by default, the redirect to the provider, refusals."""

import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory
from django.views.debug import technical_500_response

from tests.oidc.idp import CLIENT_ID, SECRET, secret_forms

pytestmark = pytest.mark.django_db


def flash(client, response) -> str:
    """The message the login page shows after a refused sign-in."""
    assert response.status_code == 302 and response.url == "/accounts/login/"
    page = client.get(response.url).content.decode()
    assert "Sign-in through Keycloak failed" in page
    return page


def test_off_without_an_issuer(client):
    assert client.get("/oidc/authenticate/").status_code == 404  # not the login redirect: login_not_required
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


def test_the_login_page_offers_the_provider(idp, client, settings):
    page = client.get("/accounts/login/?next=/teams/").content.decode()
    assert "Sign in with Keycloak" in page
    assert 'href="/oidc/authenticate/?next=/teams/"' in page
    settings.OIDC_PROVIDER_NAME = ""
    assert "Sign in with single sign-on" in client.get("/accounts/login/").content.decode()


def test_the_redirect_asks_for_a_code_with_pkce_and_a_nonce(idp, client, live_server):
    response = client.get("/oidc/authenticate/?next=/teams/")
    assert response.status_code == 302
    location = urlsplit(response.url)
    assert f"{location.scheme}://{location.netloc}" == idp.issuer
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["scope"] == "openid email profile groups"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["nonce"]) >= 32 and len(query["state"]) >= 32
    assert query["redirect_uri"].endswith("/oidc/callback/")
    assert client.session["oidc_states"][query["state"]]["code_verifier"]
    assert not any(form in response.url for form in secret_forms())


def test_a_callback_this_browser_never_started_is_refused(idp, client):
    page = flash(client, client.get("/oidc/callback/?code=abc&state=never-issued"))
    assert "not started in this browser" in page
    client.get("/oidc/authenticate/")  # now the session holds a state, but not this one
    page = flash(client, client.get("/oidc/callback/?code=abc&state=another"))
    assert "not started in this browser, or was already used" in page


def test_the_provider_saying_no_is_a_sentence(idp, client):
    assert "Keycloak did not sign you in (access_denied)." in flash(
        client, client.get("/oidc/callback/?error=access_denied&state=x"))
    page = flash(client, client.get("/oidc/callback/", {"error": "<b>call 555-0100</b>", "state": "x"}))
    assert "Keycloak did not sign you in." in page and "555" not in page


def test_an_unreachable_provider_is_a_sentence(client, settings):
    settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = "http://127.0.0.1:9", "c", "s3cret"
    settings.OIDC_PROVIDER_NAME = "Keycloak"
    page = flash(client, client.get("/oidc/authenticate/"))
    assert "its discovery document could not be reached (ConnectError)" in page


def test_a_redirecting_provider_is_not_followed(broken_issuer, client):
    broken_issuer.answer = (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    page = flash(client, client.get("/oidc/authenticate/"))
    assert "answered a redirect, which the console does not follow" in page
    assert broken_issuer.requests == 1


def test_a_discovery_document_of_another_issuer_is_refused(broken_issuer, client):
    broken_issuer.discovery(issuer="https://impostor.example")
    assert "names another issuer (https://impostor.example)" in flash(client, client.get("/oidc/authenticate/"))
    broken_issuer.discovery(token_endpoint=None)
    assert "its discovery document lacks token_endpoint" in flash(client, client.get("/oidc/authenticate/"))
    broken_issuer.answer = (200, {"Content-Type": "text/html"}, b"<html>maintenance</html>")
    assert "did not answer a JSON object" in flash(client, client.get("/oidc/authenticate/"))


def test_the_discovery_document_is_read_once_and_cached(broken_issuer, client):
    broken_issuer.discovery()
    for _ in range(3):
        response = client.get("/oidc/authenticate/")
        assert response.url.startswith(f"{broken_issuer.url}/auth?")
    assert broken_issuer.requests == 1


def test_the_debug_error_page_masks_the_client_secret(settings):
    """Settings and the environment, as runserver hands it to the request."""
    settings.OIDC_CLIENT_SECRET = SECRET
    request = RequestFactory().get("/", OIDC_CLIENT_SECRET=SECRET)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        page = technical_500_response(request, *sys.exc_info()).content.decode()
    assert "OIDC_CLIENT_SECRET" in page
    assert not any(form in page for form in secret_forms()), "the client secret is on the DEBUG error page"
