from django.urls import path

from dashboard.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident, name="page"),
    path("suspects/", views.suspects, name="suspects"),
]
