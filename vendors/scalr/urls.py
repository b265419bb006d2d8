from django.urls import path

from vendors.scalr.views import actions, callback, config, connection, dns, farms, scripts, servers

app_name = "scalr"
urlpatterns = [
    path("farms/", farms.farm_list, name="farm-list"),
    path("farms/<int:pk>/", farms.farm_detail, name="farm-detail"),
    path("farms/<int:pk>/stats/", farms.farm_stats, name="farm-stats"),
    path("farms/<int:pk>/launch/", actions.farm_launch, name="farm-launch"),
    path("farms/<int:pk>/terminate/", actions.farm_terminate, name="farm-terminate"),
    path("farms/<int:pk>/clone/", actions.farm_clone, name="farm-clone"),
    path("farms/<int:pk>/lock/", actions.farm_lock, name="farm-lock"),
    path("farms/<int:pk>/unlock/", actions.farm_unlock, name="farm-unlock"),
    path("farm-roles/<int:pk>/launch-server/", actions.server_launch, name="server-launch"),
    path("servers/", servers.server_list, name="server-list"),
    path("servers/<int:pk>/", servers.server_detail, name="server-detail"),
    path("servers/<int:pk>/stats/", servers.server_stats, name="server-stats"),
    path("servers/<int:pk>/reboot/", actions.server_reboot, name="server-reboot"),
    path("servers/<int:pk>/terminate/", actions.server_terminate, name="server-terminate"),
    path("servers/<int:pk>/suspend/", actions.server_suspend, name="server-suspend"),
    path("servers/<int:pk>/resume/", actions.server_resume, name="server-resume"),
    path("servers/<int:pk>/image/", actions.server_image, name="server-image"),
    path("scripts/", scripts.script_list, name="script-list"),
    path("scripts/<int:pk>/", scripts.script_detail, name="script-detail"),
    path("scripts/<int:pk>/execute/", scripts.script_execute, name="script-execute"),
    path("dns/", dns.dns_list, name="dns-list"),
    path("dns/new/", dns.dns_zone_create, name="dns-zone-create"),
    path("dns/<int:pk>/", dns.dns_zone, name="dns-zone"),
    path("dns/<int:pk>/records/add/", dns.dns_record_add, name="dns-record-add"),
    path("dns/<int:pk>/records/<int:record_id>/remove/", dns.dns_record_remove, name="dns-record-remove"),
    path("variables/", config.variables, name="variables"),
    path("vhosts/", config.vhosts, name="vhosts"),
    path("deployments/", config.deployments, name="deployments"),
    path("images/", servers.bundle_tasks, name="bundle-tasks"),
    path("connections/<int:pk>/", connection.connection_overview, name="connection"),
    path("connections/<int:pk>/callback/rotate/", connection.callback_rotate, name="callback-rotate"),
    path("callback/<int:pk>/<str:token>/", callback.callback, name="callback"),
]
