from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "corridor.notifications"
    label = "notifications"
