from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Role

SCREENING_ROLES = (Role.FIRST_RESPONDER, Role.COORDINATOR, Role.INVESTIGATOR)
INTAKE_ROLES = tuple(access.OWNER_ROLES)  # those who may register persons may import them


def _nav_items(request) -> list[dict]:
    user = request.user
    wanted = [("core:home", _("Today"))]
    if user.has_role(*SCREENING_ROLES):
        wanted.append(("screening:start", _("Screen a person")))
    if user.has_role(*access.OPERATIONAL_ROLES):
        wanted += [
            ("people:list", _("Persons")),
            ("cases:list", _("Cases")),
            ("referrals:list", _("Referrals")),
            ("incidents:list", _("Incidents")),
            ("referrals:directory", _("Services")),
        ]
    elif access.can_see_statistics(user):
        wanted.append(("incidents:list", _("Figures")))
    if user.has_role(*INTAKE_ROLES):
        wanted.append(("intake:home", _("Import")))
    if access.can_open_criminal_case(user):
        wanted.append(("investigations:list", _("Criminal cases")))
    if user.has_role(Role.INVESTIGATOR, Role.PROSECUTOR):
        wanted.append(("cooperation:list", _("Legal requests")))
    if user.has_role(Role.COORDINATOR):
        wanted.append(("crossborder:queue", _("Partner countries")))
        wanted.append(("linkage:queue", _("Who is who")))
    if access.can_administer(user):
        wanted += [
            ("crossborder:partner_list", _("Partners")),
            ("accounts:agency_list", _("Agencies")),
            ("accounts:user_list", _("Users")),
            ("screening:catalogue_list", _("Indicators")),
            ("audit:list", _("Audit")),
            ("jobs:list", _("Jobs")),
        ]
    wanted.append(("accounts:security", _("My account")))
    path = request.path
    items = []
    for name, label in wanted:
        try:
            url = reverse(name)
        except NoReverseMatch:  # an app that offers no such page yet
            continue
        active = path == url or (url != "/" and path.startswith(url))
        items.append({"url": url, "label": label, "active": active})
    return items


def corridor(request):
    context = {
        "CORRIDOR_DEMO": settings.DEMO,
        "CORRIDOR_COUNTRY": settings.CORRIDOR_COUNTRY,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from corridor.notifications.services import unread_for

        context["nav_items"] = _nav_items(request)
        context["unread_notifications"] = unread_for(user).count()
    return context
