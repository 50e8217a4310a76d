"""Signing in, and staying signed in, needs an active account of an active agency."""

from django.contrib.auth.backends import ModelBackend


class ActiveAgencyBackend(ModelBackend):
    """Django's own backend, which also ends the sessions of a deactivated agency's users:
    each request's user is loaded through `user_can_authenticate`."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and user.may_work
