from django.urls import path

from dashboard.overview import views

app_name = "overview"
urlpatterns = [
    path("", views.home, name="home"),
    path("timeline/", views.timeline, name="timeline"),
    path("search/", views.search, name="search"),
]
