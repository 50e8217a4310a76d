"""Small helpers shared by the referral tests."""

from datetime import timedelta

from django.utils import timezone

from corridor.accounts.services import issue_api_token
from corridor.referrals.models import Referral


def stored(obj):
    return type(obj).objects.get(pk=obj.pk)


def sent_hours_ago(referral: Referral, hours: float) -> Referral:
    """Time travel: the referral was sent `hours` ago."""
    Referral.objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )
    return stored(referral)


def auth(user) -> dict:
    _token, raw = issue_api_token(actor=user, name="case management system")
    return {"Authorization": f"Bearer {raw}"}


def api_post(client, url, body, user, method="post"):
    send = getattr(client, method)
    return send(url, body, content_type="application/json", headers=auth(user))


def error_fields(response) -> list:
    return [e["field"] for e in response.json()["detail"]]
