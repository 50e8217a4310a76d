from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "corridor.screening"
    label = "screening"
