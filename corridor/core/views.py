import sys

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from corridor.core.services import today_for


@login_required
def home(request):
    return render(request, "core/home.html", {"today": today_for(request.user, request=request)})


DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = "5"


@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_UNAVAILABLE:
        response = JsonResponse({"status": "database_unavailable"}, status=503)
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response
    return JsonResponse({"status": "ok"})


def server_error(request):
    """Django's last resort (handler500): no traceback, and no query, since the database may
    be what failed. A lost database answers 503 with Retry-After: the request's transaction
    was rolled back, so trying again is safe."""
    unavailable = isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE)
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        detail = (
            _("The database is unavailable; nothing was saved. Try again in a moment.")
            if unavailable
            else _("Server error; nothing was saved. The error has been logged.")
        )
        response = JsonResponse(
            {"detail": detail, "error": "database_unavailable" if unavailable else "server_error"},
            status=status,
        )
    else:
        response = HttpResponse(
            render_to_string("500.html", {"unavailable": unavailable}), status=status
        )
    if unavailable:
        response["Retry-After"] = RETRY_AFTER_SECONDS
    return response
