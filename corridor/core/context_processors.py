from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from corridor.accounts import access


def _nav_items(request) -> list[dict]:
    user = request.user
    items = [(reverse("core:home"), _("Today"))]
    if user.has_role(*access.OPERATIONAL_ROLES):
        items += [
            (reverse("people:list"), _("Persons")),
            (reverse("cases:list"), _("Cases")),
            (reverse("referrals:list"), _("Referrals")),
        ]
    if access.can_administer(user):
        items += [
            (reverse("accounts:agency_list"), _("Agencies")),
            (reverse("accounts:user_list"), _("Users")),
            (reverse("audit:list"), _("Audit")),
        ]
    items.append((reverse("accounts:security"), _("My account")))
    path = request.path
    return [
        {"url": url, "label": label, "active": path == url or (url != "/" and path.startswith(url))}
        for url, label in items
    ]


def corridor(request):
    context = {
        "CORRIDOR_DEMO": settings.DEMO,
        "CORRIDOR_COUNTRY": settings.CORRIDOR_COUNTRY,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["nav_items"] = _nav_items(request)
    return context
