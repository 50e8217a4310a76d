from django import template

from corridor.accounts import access
from corridor.screening.models import AgeAssessment
from corridor.screening.services import screenings_visible_to

register = template.Library()


@register.simple_tag(takes_context=True)
def person_screenings(context, person) -> dict:
    """The screenings and age assessments of a person shown on the page, newest first, in
    two queries; a reader who may not see the person gets nothing."""
    user = context["request"].user
    return {
        "screenings": list(
            screenings_visible_to(user)
            .filter(person=person)
            .select_related("catalogue", "agency")
            .order_by("-screened_at", "-pk")
        ),
        "age_assessments": list(
            AgeAssessment.objects.filter(
                person=person, person__in=access.persons_visible_to(user)
            ).order_by("-assessed_at", "-pk")
        ),
        "can_screen": user.has_role(*access.OWNER_ROLES) and access.can_change_person(user, person),
    }
