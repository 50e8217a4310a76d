from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "corridor.investigations"
    label = "investigations"
