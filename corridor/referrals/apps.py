from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "corridor.referrals"
    label = "referrals"
