from django.urls import path

from console.teams import views

app_name = "teams"
urlpatterns = [
    path("", views.team_list, name="list"),
    path("<slug:slug>/", views.team_detail, name="detail"),
    path("<slug:slug>/members/<int:pk>/role/", views.member_role, name="member-role"),
    path("<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member-remove"),
]
