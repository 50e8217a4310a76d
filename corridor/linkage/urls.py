from django.urls import path

from corridor.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("run/", views.start_run, name="run"),
    path("pairs/<int:pk>/", views.pair, name="pair"),
    path("pairs/<int:pk>/decide/", views.decide, name="decide"),
    path("unlink/<str:reference>/", views.unlink, name="unlink"),
]
