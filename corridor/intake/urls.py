from django.urls import path

from corridor.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("registers/", views.register_import, name="register_import"),
    path("registers/<uuid:token>/", views.register_map, name="register_map"),
    path("imports/<int:pk>/", views.batch_detail, name="batch"),
    path("submissions/", views.submissions_import, name="submissions_import"),
    path("xlsform/", views.xlsform, name="xlsform"),
]
