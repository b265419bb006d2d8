"""Scalr in the REST API (/api/v1/scalr/): the inventory's lists and details (views.py), and the
Scalr actions offered to POST /api/v1/actions/ (verbs.py, registered when the app is ready)."""

from django.urls import path

from vendors.scalr.api import views

app_name = "scalr"
urlpatterns = [
    path("environments/", views.EnvironmentList.as_view(), name="environment-list"),
    path("environments/<int:pk>/", views.EnvironmentDetail.as_view(), name="environment-detail"),
    path("farms/", views.FarmList.as_view(), name="farm-list"),
    path("farms/<int:pk>/", views.FarmDetail.as_view(), name="farm-detail"),
    path("servers/", views.ServerList.as_view(), name="server-list"),
    path("servers/<int:pk>/", views.ServerDetail.as_view(), name="server-detail"),
    path("scripts/", views.ScriptList.as_view(), name="script-list"),
    path("scripts/<int:pk>/", views.ScriptDetail.as_view(), name="script-detail"),
    path("events/", views.EventList.as_view(), name="event-list"),
]
