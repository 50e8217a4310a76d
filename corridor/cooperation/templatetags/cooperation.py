from django import template

from corridor.cooperation import services
from corridor.vocabularies import country_name

register = template.Library()


@register.filter
def country(code: str) -> str:
    """A country code named in the reader's language."""
    return country_name(code)


@register.inclusion_tag("cooperation/_criminal_case_requests.html")
def criminal_case_requests(criminal_case, user):
    """The legal requests of a criminal case, on its page (one query), for those who may
    work on requests; the criminal case's page need not know this app."""
    may = services.may_work_on_requests(user)
    rows = (
        services.requests_visible_to(user).filter(criminal_case=criminal_case).order_by("-pk")
        if may
        else []
    )
    return {"kcase": criminal_case, "requests": list(rows), "may_request": may}
