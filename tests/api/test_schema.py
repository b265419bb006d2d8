"""The OpenAPI document is valid and complete, and the docs page renders it from local files."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openapi_spec_validator import validate

from console.teams.models import Role
from console.tokens.services import token_create
from tests.harness.api import api_url_names


@pytest.fixture
def schema(client, members):
    _, plain = token_create(user=members[Role.VIEWER], description="schema reader")
    answer = client.get(reverse("api:schema"), {"format": "json"}, HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert answer.status_code == 200
    return answer.json()


def test_the_document_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_every_endpoint_is_in_the_document_with_its_errors(schema):
    documented = set(schema["paths"])
    patterns = dict(_patterns(get_resolver()))
    for name in api_url_names() - {"api:schema", "api:docs"}:
        pattern = patterns[name]
        assert pattern in documented, f"{name} ({pattern}) is not in the OpenAPI document"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"401", "403", "429"} <= set(responses), f"{method} {path} lacks error responses"
            if "{" in path:
                assert "404" in responses, f"{method} {path} lacks its 404"
            assert responses["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_action_endpoint_lists_every_verb(schema):
    from vendors.core.api import api_verbs

    text = schema["paths"]["/api/v1/actions/"]["post"]["description"]
    assert api_verbs() and all(f"`{verb}`" in text for verb in api_verbs())


def _patterns(resolver, prefix="", route=""):
    """(namespaced name, path as OpenAPI writes it) of every named URL."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix,
                                 route + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            path = "/" + route + str(entry.pattern)
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path).replace("{pk}", "{id}")  # as drf-spectacular names it
            yield prefix + entry.name, path


def test_the_docs_page_signs_in_and_loads_nothing_from_elsewhere(client, members):
    assert client.get(reverse("api:docs")).status_code == 302  # people sign in first
    client.force_login(members[Role.VIEWER])
    html = client.get(reverse("api:docs")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "<script>" not in html and "<style>" not in html  # the Content-Security-Policy allows no inline code
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and reverse("api:schema") in script.content.decode()
