"""`{% person_links person %}`: the person page's "same person" box, from the linkage app,
so the people app needs to know nothing about linkage."""

from django import template

from corridor.linkage import services

register = template.Library()


@register.inclusion_tag("linkage/_person_links.html", takes_context=True)
def person_links(context, person):
    user = context["request"].user
    return {
        "person": person,
        "linked": services.linked_records(person, viewer=user),
        "can_unlink": services.can_review_matches(user),
        "csrf_token": context.get("csrf_token"),
    }
