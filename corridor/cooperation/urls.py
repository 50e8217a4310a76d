from django.urls import path

from corridor.cooperation import views

app_name = "cooperation"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("countries/", views.country_pairs, name="country_pairs"),
    path("<str:reference>/", views.request_detail, name="detail"),
    path("<str:reference>/status/", views.request_status, name="status"),
    path("<str:reference>/answer/", views.request_answer, name="answer"),
]
