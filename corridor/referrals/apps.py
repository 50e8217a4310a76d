from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "corridor.referrals"
    label = "referrals"

    def ready(self) -> None:
        from corridor.consent.services import consent_revoked
        from corridor.referrals import services

        def withdraw(sender, consent, actor, request=None, **kwargs):
            services.withdraw_referrals_for_revoked_consent(consent, actor=actor, request=request)

        # A revoked consent withdraws the referrals relying on it, in the same transaction.
        consent_revoked.connect(
            withdraw, dispatch_uid="referrals-withdraw-on-revocation", weak=False
        )
