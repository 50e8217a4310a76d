from django.urls import include, path

from corridor.api import api

urlpatterns = [
    path("", include("corridor.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("corridor.accounts.urls")),
    path("people/", include("corridor.people.urls")),
    path("cases/", include("corridor.cases.urls")),
    path("referrals/", include("corridor.referrals.urls")),
    path("audit/", include("corridor.audit.urls")),
    path("screening/", include("corridor.screening.urls")),
    path("incidents/", include("corridor.incidents.urls")),
    path("investigations/", include("corridor.investigations.urls")),
    path("intake/", include("corridor.intake.urls")),
    path("notifications/", include("corridor.notifications.urls")),
    path("crossborder/", include("corridor.crossborder.urls")),
    path("jobs/", include("corridor.jobs.urls")),
    path("retention/", include("corridor.retention.urls")),
    path("linkage/", include("corridor.linkage.urls")),
    path("cooperation/", include("corridor.cooperation.urls")),
    path("api/", api.urls),
]

handler500 = "corridor.core.views.server_error"
