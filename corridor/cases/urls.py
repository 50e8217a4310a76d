from django.urls import path

from corridor.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/<str:person_reference>/", views.case_open, name="open"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/status/", views.case_status, name="status"),
]
