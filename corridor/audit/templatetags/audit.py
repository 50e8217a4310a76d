"""`{% load audit %}`: what a page shows of the audit trail, decided by accounts.access."""

from django import template

from corridor.accounts import access

register = template.Library()


@register.filter
def can_read_audit(user) -> bool:
    """`{% if request.user|can_read_audit %}`: a link to the trail only for its readers."""
    return access.can_read_audit(user)
