from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import path

app_name = "accounts"


def _todo(request, *args, **kwargs):
    return HttpResponse("not built yet", status=501)


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/", _todo, name="mfa"),
    path("security/", _todo, name="security"),
    path("agencies/", _todo, name="agency_list"),
    path("users/", _todo, name="user_list"),
]
