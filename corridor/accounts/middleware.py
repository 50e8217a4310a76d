"""Privileged roles must prove a second factor before any page answers them, and a session
left idle ends."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from corridor.accounts.services import SEEN_KEY, SIGNED_IN_KEY

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


# Activity is written to the session at most this often, so reading pages costs no write.
SEEN_RESOLUTION_SECONDS = 60


class IdleTimeoutMiddleware:
    """Sign out a browser left open: a shared phone or an office screen nobody locked.

    Two limits: CORRIDOR_IDLE_SECONDS since the last request, and the session cookie's age
    since sign-in however busy the user is (saving the session would otherwise push that one
    forward). API tokens do not use sessions and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            signed_in = request.session.setdefault(SIGNED_IN_KEY, now)
            if (seen is not None and now - seen > settings.CORRIDOR_IDLE_SECONDS) or (
                now - signed_in > settings.SESSION_COOKIE_AGE
            ):
                return self._sign_out(request)
            if seen is None or now - seen >= SEEN_RESOLUTION_SECONDS:
                request.session[SEEN_KEY] = now
        return self.get_response(request)

    def _sign_out(self, request):
        logout(request)
        messages.info(request, _("You were signed out after a period without activity."))
        login = reverse("accounts:login")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login
            return response
        if request.method == "GET" and not request.path.startswith(EXEMPT_PREFIXES):
            return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        return redirect(login)
