from django.urls import path

from corridor.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_register, name="register"),
    path("emergency-access/", views.break_glass, name="break_glass"),
    path("<str:reference>/", views.person_detail, name="detail"),
    path("<str:reference>/edit/", views.person_edit, name="edit"),
    path("<str:reference>/export/", views.person_export, name="export"),
]
