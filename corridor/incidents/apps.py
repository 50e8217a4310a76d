from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "corridor.incidents"
    label = "incidents"
