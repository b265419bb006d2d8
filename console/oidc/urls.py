from django.contrib.auth.decorators import login_not_required
from django.urls import path

from console.oidc import views

app_name = "oidc"
urlpatterns = [
    path("authenticate/", login_not_required(views.AuthenticateView.as_view()), name="authenticate"),
    path("callback/", login_not_required(views.CallbackView.as_view()), name="callback"),
]
