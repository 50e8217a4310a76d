from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "corridor.accounts"
    label = "accounts"

    def ready(self):
        """Audit every sign-in, failed sign-in and sign-out, whichever view caused it."""
        from django.contrib.auth import signals

        from corridor.accounts import services

        signals.user_logged_in.connect(
            services.on_user_logged_in, dispatch_uid="corridor_audit_login"
        )
        signals.user_login_failed.connect(
            services.on_user_login_failed, dispatch_uid="corridor_audit_login_failed"
        )
        signals.user_logged_out.connect(
            services.on_user_logged_out, dispatch_uid="corridor_audit_logout"
        )
