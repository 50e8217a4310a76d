"""`{% criminal_cases_of incident %}`: on an incident's page, the criminal cases covering it
that the reader may see, and the link to open one; nothing for anyone else."""

from django import template

from corridor.accounts import access

register = template.Library()


@register.inclusion_tag("investigations/_incident_block.html", takes_context=True)
def criminal_cases_of(context, incident):
    user = context["request"].user
    if not access.can_open_criminal_case(user):
        return {"shown": False}
    cases = access.criminal_cases_visible_to(user).filter(incident_links__incident=incident)
    return {"shown": True, "incident": incident, "cases": list(cases.order_by("-opened_at")[:20])}


@register.inclusion_tag("investigations/_witness_crossings.html", takes_context=True)
def witness_crossings(context, person):
    """`{% witness_crossings person %}`: on a protection case's page, for the protection
    coordinator, every read of the person's data through a witness window."""
    from corridor.investigations.services import witness_crossings as crossings_of

    user = context["request"].user
    if not access.can_see_witness_crossings(user, person):
        return {"shown": False}
    return {"shown": True, "crossings": list(crossings_of(person))}
