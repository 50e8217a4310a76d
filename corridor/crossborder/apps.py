from django.apps import AppConfig


class CrossborderConfig(AppConfig):
    name = "corridor.crossborder"
    label = "crossborder"

    def ready(self) -> None:
        from corridor.consent.services import consent_revoked
        from corridor.crossborder import services

        def withdraw(sender, consent, actor, request=None, **kwargs):
            services.on_consent_revoked(consent, actor=actor, request=request)

        # A revoked consent withdraws the transnational referrals relying on it and tells the
        # partner, in the same transaction as the revocation.
        consent_revoked.connect(
            withdraw, dispatch_uid="crossborder-withdraw-on-revocation", weak=False
        )
