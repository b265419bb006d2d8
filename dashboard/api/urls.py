"""/api/: version 1 of the REST API (README "API"), its OpenAPI document and its docs page."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from console.api.errors import api_not_found
from console.audit.api import AuditList
from dashboard.api.views import AttentionList, TimelineList
from vendors.core import registry

v1 = [
    path("", include("vendors.core.api")),
    path("", include("vendors.core.alerts.api")),
    path("timeline/", TimelineList.as_view(), name="timeline"),
    path("attention/", AttentionList.as_view(), name="attention"),
    path("audit/", AuditList.as_view(), name="audit"),
]
for _spec in registry.vendors():
    if _spec.api_urls:
        v1.append(path(f"{_spec.name}/", include(_spec.api_urls)))

app_name = "api"
urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the docs page is for people: it signs in like every page (DRF's views otherwise opt out)
    path("docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    re_path(r"^.*$", api_not_found),
]
