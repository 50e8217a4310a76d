"""Helpers shared by the apps' forms."""

from django.core.exceptions import ValidationError
from django.forms import Form


def apply_validation_error(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, under the field it names."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
