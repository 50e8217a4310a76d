from django.contrib.auth import views as auth_views
from django.urls import path

from corridor.accounts import views

app_name = "accounts"

urlpatterns = [
    # Anyone: sign-in and sign-out (the MFA middleware lets these through).
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Any signed-in user: second factor, own account, own API tokens.
    path("mfa/", views.mfa, name="mfa"),
    path("security/", views.security, name="security"),
    path("security/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("security/tokens/", views.token_create, name="token_create"),
    path("security/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    # Administrators only (views.administrators_only): agencies and user accounts.
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<int:pk>/", views.agency_edit, name="agency_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/reset-mfa/", views.user_mfa_reset, name="user_mfa_reset"),
    path("role-requests/<int:pk>/", views.role_request_decide, name="role_request_decide"),
]
