from django.urls import path, re_path

from corridor.crossborder import views

app_name = "crossborder"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("inbox", views.inbox_view, name="inbox"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    re_path(
        r"^partners/(?P<pk>\d+)/(?P<action>suspend|reactivate|revoke|retry)/$",
        views.partner_action,
        name="partner_action",
    ),
    path("partners/<int:pk>/secret/", views.partner_secret, name="partner_secret"),
    path("known-elsewhere/", views.known_elsewhere, name="known_elsewhere"),
    path("known-elsewhere/<int:pk>/start/", views.start_exchange, name="start_exchange"),
    path("send/<str:case_reference>/", views.send, name="send"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/accept/", views.accept, name="accept"),
    path("<str:reference>/decline/", views.decline, name="decline"),
    path("<str:reference>/status/", views.report, name="status"),
    path("<str:reference>/withdraw/", views.withdraw, name="withdraw"),
]
