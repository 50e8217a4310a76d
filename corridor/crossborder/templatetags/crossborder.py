"""`{% case_transnational case user %}`: the case page's transnational referrals, scoped."""

import json

from django import template

from corridor.accounts import access
from corridor.crossborder.models import TransnationalReferral

register = template.Library()


def case_transnational_context(user, case) -> dict:
    """What `crossborder/_case_transnational_panel.html` shows on a case page (3 queries)."""
    referrals = (
        access.transnational_referrals_visible_to(user)
        .filter(case=case)
        .select_related("partner")
        .order_by("-created_at", "-pk")
    )
    rows = list(referrals)
    return {
        "case": case,
        "referrals": [r for r in rows if r.is_outgoing],
        "received_from": next(
            (r for r in rows if r.direction == TransnationalReferral.Direction.INCOMING), None
        ),
        "can_send": access.can_send_abroad(user, case),
    }


@register.inclusion_tag("crossborder/_case_transnational_panel.html")
def case_transnational(case, user):
    return case_transnational_context(user, case)


@register.filter
def as_json(value) -> str:
    """A JWK (or any JSON value) as indented JSON, to copy and hand over."""
    return json.dumps(value, indent=2, ensure_ascii=False)
