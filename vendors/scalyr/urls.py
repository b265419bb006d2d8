from django.urls import path

from vendors.scalyr.views import charts, explorer, files, home, incidents, saved

app_name = "scalyr"
urlpatterns = [
    path("", home.home, name="home"),
    path("policy/<slug:slug>/", home.policy, name="policy"),
    path("<int:pk>/", explorer.explorer, name="explorer"),
    path("<int:pk>/histogram/", explorer.histogram, name="histogram"),
    path("<int:pk>/facets/", explorer.facets, name="facets"),
    path("<int:pk>/tail/", explorer.tail, name="tail"),
    path("<int:pk>/chart/", charts.chart, name="chart"),
    path("<int:pk>/saved/", saved.create, name="saved-create"),
    path("saved/<int:pk>/", saved.open_saved, name="saved-open"),
    path("saved/<int:pk>/about/", saved.detail, name="saved-detail"),
    path("saved/<int:pk>/edit/", saved.edit, name="saved-edit"),
    path("saved/<int:pk>/pin/", saved.pin, name="saved-pin"),
    path("saved/<int:pk>/delete/", saved.delete, name="saved-delete"),
    path("<int:pk>/files/", files.file_list, name="files"),
    path("<int:pk>/files/view/", files.file_detail, name="file"),
    path("<int:pk>/files/edit/", files.file_edit, name="file-edit"),
    path("<int:pk>/files/delete/", files.file_delete, name="file-delete"),
    path("incident/", incidents.incident_errors, name="incident-errors"),
]
