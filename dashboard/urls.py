from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django_prometheus.exports import ExportToDjangoView

from console.teams.forms import LoginForm
from dashboard.health import HealthView
from vendors.core import registry

_checks = ["health_check.checks.Database", "health_check.checks.Cache", "dashboard.health.SchedulerHeartbeat"]
if settings.REDIS_URL:
    from redis.asyncio import Redis as AsyncRedis

    _checks.append(("dashboard.health.Redis",
                    {"client_factory": lambda: AsyncRedis.from_url(settings.REDIS_URL)}))
    _checks.append("health_check.contrib.celery.Ping")

urlpatterns = [
    path("", include("dashboard.overview.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True,
                                                         authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("oidc/", include("console.oidc.urls")),
    path("connections/", include("vendors.core.urls")),
    path("alerts/", include("dashboard.alerts.urls")),
    path("incidents/", include("dashboard.incidents.urls")),
    path("teams/", include("console.teams.urls")),
    path("audit/", include("console.audit.urls")),
    path("account/tokens/", include("console.tokens.urls")),
    path("api/", include("dashboard.api.urls")),
    path("admin/", admin.site.urls),
    path("health/", login_not_required(HealthView.as_view(checks=_checks)), name="health"),
    path("metrics", login_not_required(ExportToDjangoView), name="metrics"),
]

# Each vendor app mounts its own pages under /<vendor>/.
for _spec in registry.vendors():
    if _spec.urls:
        urlpatterns.append(path(f"{_spec.name}/", include(_spec.urls)))
