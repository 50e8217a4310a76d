from django.urls import path

from corridor.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("person/<str:reference>/", views.person_trail, name="person"),
    path("verify/", views.chain_status, name="verify"),
]
