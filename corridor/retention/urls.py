from django.urls import path

from corridor.retention import views

app_name = "retention"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("people/<str:reference>/", views.person_retention, name="person"),
    path("people/<str:reference>/holds/", views.hold_place, name="hold_place"),
    path("people/<str:reference>/holds/<str:hold>/lift/", views.hold_lift, name="hold_lift"),
    path("people/<str:reference>/erasure/", views.erasure_request, name="erasure_request"),
]
