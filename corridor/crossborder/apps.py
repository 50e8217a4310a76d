from django.apps import AppConfig


class CrossborderConfig(AppConfig):
    name = "corridor.crossborder"
    label = "crossborder"
