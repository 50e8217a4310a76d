from django import template

from corridor.vocabularies import country_name

register = template.Library()


@register.filter
def country(code: str) -> str:
    """A country code named in the reader's language."""
    return country_name(code)
