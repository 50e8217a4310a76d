from django.urls import path

app_name = "crossborder"
urlpatterns: list[path] = []
