from django.urls import path

from corridor.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_create, name="create"),
    path("<str:reference>/", views.incident_detail, name="detail"),
    path("<str:reference>/edit/", views.incident_edit, name="edit"),
    path("<str:reference>/victims/add/", views.add_victim, name="add_victim"),
    path(
        "<str:reference>/victims/<str:person_reference>/remove/",
        views.remove_victim,
        name="remove_victim",
    ),
    path("<str:reference>/suspects/add/", views.add_suspect, name="add_suspect"),
    path("<str:reference>/route/add/", views.add_route_leg, name="add_route_leg"),
    path("<str:reference>/places/add/", views.add_place, name="add_place"),
    path("<str:reference>/events/add/", views.add_event, name="add_event"),
]
