from django.urls import path

from corridor.screening import views

app_name = "screening"
urlpatterns = [
    path("", views.start, name="start"),
    path("run/<str:token>/<int:step>/", views.step, name="step"),
    path("age/<str:person_reference>/", views.age_assessment, name="age_assessment"),
    path("catalogues/", views.catalogue_list, name="catalogue_list"),
    path("catalogues/<int:pk>/", views.catalogue_detail, name="catalogue_detail"),
    path("catalogues/<int:pk>/copy/", views.catalogue_copy, name="catalogue_copy"),
    path("catalogues/<int:pk>/publish/", views.catalogue_publish, name="catalogue_publish"),
    path(
        "catalogues/<int:pk>/indicators/<int:indicator_pk>/",
        views.indicator_edit,
        name="indicator_edit",
    ),
    path("<str:reference>/", views.detail, name="detail"),
]
