from django.urls import path

from vendors.scalr import views, views_actions, views_callback, views_catalog, views_config

app_name = "scalr"
urlpatterns = [
    path("farms/", views.farm_list, name="farm-list"),
    path("farms/<int:pk>/", views.farm_detail, name="farm-detail"),
    path("farms/<int:pk>/stats/", views.farm_stats, name="farm-stats"),
    path("farms/<int:pk>/launch/", views_actions.farm_launch, name="farm-launch"),
    path("farms/<int:pk>/terminate/", views_actions.farm_terminate, name="farm-terminate"),
    path("farms/<int:pk>/clone/", views_actions.farm_clone, name="farm-clone"),
    path("farms/<int:pk>/lock/", views_actions.farm_lock, name="farm-lock"),
    path("farms/<int:pk>/unlock/", views_actions.farm_unlock, name="farm-unlock"),
    path("farm-roles/<int:pk>/launch-server/", views_actions.server_launch, name="server-launch"),
    path("servers/", views.server_list, name="server-list"),
    path("servers/<int:pk>/", views.server_detail, name="server-detail"),
    path("servers/<int:pk>/stats/", views.server_stats, name="server-stats"),
    path("servers/<int:pk>/reboot/", views_actions.server_reboot, name="server-reboot"),
    path("servers/<int:pk>/terminate/", views_actions.server_terminate, name="server-terminate"),
    path("servers/<int:pk>/suspend/", views_actions.server_suspend, name="server-suspend"),
    path("servers/<int:pk>/resume/", views_actions.server_resume, name="server-resume"),
    path("servers/<int:pk>/image/", views_actions.server_image, name="server-image"),
    path("scripts/", views_catalog.script_list, name="script-list"),
    path("scripts/<int:pk>/", views_catalog.script_detail, name="script-detail"),
    path("scripts/<int:pk>/execute/", views_catalog.script_execute, name="script-execute"),
    path("dns/", views_catalog.dns_list, name="dns-list"),
    path("dns/new/", views_config.dns_zone_create, name="dns-zone-create"),
    path("dns/<int:pk>/", views_catalog.dns_zone, name="dns-zone"),
    path("dns/<int:pk>/records/add/", views_config.dns_record_add, name="dns-record-add"),
    path("dns/<int:pk>/records/<int:record_id>/remove/", views_config.dns_record_remove, name="dns-record-remove"),
    path("variables/", views_config.variables, name="variables"),
    path("vhosts/", views_config.vhosts, name="vhosts"),
    path("deployments/", views_config.deployments, name="deployments"),
    path("images/", views_catalog.bundle_tasks, name="bundle-tasks"),
    path("connections/<int:pk>/", views_catalog.connection_overview, name="connection"),
    path("connections/<int:pk>/callback/rotate/", views_config.callback_rotate, name="callback-rotate"),
    path("callback/<int:pk>/<str:token>/", views_callback.callback, name="callback"),
]
