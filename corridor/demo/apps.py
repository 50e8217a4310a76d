from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "corridor.demo"
    label = "demo"
    verbose_name = "Demonstration and synthetic data"
