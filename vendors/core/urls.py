from django.urls import path

from vendors.core import views

app_name = "core"
urlpatterns = [
    path("", views.connection_list, name="connection-list"),
    path("new/<slug:vendor>/", views.connection_create, name="connection-create"),
    path("actions/<int:pk>/", views.action_status, name="action-status"),
    path("<slug:vendor>/<int:pk>/", views.connection_detail, name="connection-detail"),
    path("<slug:vendor>/<int:pk>/edit/", views.connection_edit, name="connection-edit"),
    path("<slug:vendor>/<int:pk>/delete/", views.connection_delete, name="connection-delete"),
    path("<slug:vendor>/<int:pk>/toggle/", views.connection_toggle, name="connection-toggle"),
    path("<slug:vendor>/<int:pk>/poll/", views.connection_poll, name="connection-poll"),
    path("<slug:vendor>/<int:pk>/test/", views.connection_test, name="connection-test"),
]
