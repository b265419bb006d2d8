from django.urls import path

from vendors.scalingo.views import apps, deployments, logs, variables

app_name = "scalingo"
urlpatterns = [
    path("apps/", apps.app_list, name="app-list"),
    path("apps/<int:pk>/", apps.app_detail, name="app-detail"),
    path("apps/<int:pk>/scale/", apps.app_scale, name="app-scale"),
    path("apps/<int:pk>/restart/", apps.app_restart, name="app-restart"),
    path("apps/<int:pk>/series/", apps.app_series, name="app-series"),
    path("apps/<int:pk>/logs/", logs.app_logs, name="app-logs"),
    path("apps/<int:pk>/logs/tail/", logs.app_logs_tail, name="app-logs-tail"),
    path("apps/<int:pk>/deployments/<str:deployment_id>/output/", deployments.deployment_output,
         name="deployment-output"),
    path("apps/<int:pk>/variables/", variables.app_variables, name="app-variables"),
    path("apps/<int:pk>/variables/reveal/", variables.variable_reveal, name="variable-reveal"),
    path("apps/<int:pk>/variables/delete/", variables.variable_delete, name="variable-delete"),
    path("apps/<int:pk>/variables/bulk/", variables.variables_bulk, name="variables-bulk"),
]
