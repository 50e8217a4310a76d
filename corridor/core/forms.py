"""Helpers shared by the apps' forms."""

from django.core.exceptions import ValidationError
from django.forms import Form

from corridor.core.concurrency import ConcurrentEdit


def apply_validation_error(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, under the field it names."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def perform_on_form(form: Form, perform) -> bool:
    """Call a service for a valid form; a stale version or a broken rule shows on the form.

    Returns True when the service succeeded. The service's transaction wrote nothing
    otherwise.
    """
    try:
        perform()
    except ConcurrentEdit as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        apply_validation_error(form, exc)
    else:
        return True
    return False
