"""Privileged roles must prove a second factor before any page answers them."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

EXEMPT_PREFIXES = (
    "/accounts/mfa/",
    "/accounts/logout/",
    "/accounts/login/",
    "/static/",
    "/i18n/",
    "/api/",
)


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.CORRIDOR_REQUIRE_MFA
            and user is not None
            and user.is_authenticated
            and user.needs_mfa
            and not user.is_verified()
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            return redirect(
                f"{reverse('accounts:mfa')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)
