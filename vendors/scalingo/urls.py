from django.urls import path

from vendors.scalingo import views

app_name = "scalingo"
urlpatterns = [
    path("apps/", views.app_list, name="app-list"),
    path("apps/<int:pk>/", views.app_detail, name="app-detail"),
    path("apps/<int:pk>/scale/", views.app_scale, name="app-scale"),
    path("apps/<int:pk>/restart/", views.app_restart, name="app-restart"),
    path("apps/<int:pk>/series/", views.app_series, name="app-series"),
    path("apps/<int:pk>/logs/", views.app_logs, name="app-logs"),
    path("apps/<int:pk>/logs/tail/", views.app_logs_tail, name="app-logs-tail"),
    path("apps/<int:pk>/deployments/<str:deployment_id>/output/", views.deployment_output, name="deployment-output"),
    path("apps/<int:pk>/variables/", views.app_variables, name="app-variables"),
    path("apps/<int:pk>/variables/reveal/", views.variable_reveal, name="variable-reveal"),
    path("apps/<int:pk>/variables/delete/", views.variable_delete, name="variable-delete"),
    path("apps/<int:pk>/variables/bulk/", views.variables_bulk, name="variables-bulk"),
]
