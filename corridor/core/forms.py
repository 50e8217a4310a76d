"""Helpers shared by the apps' forms."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import Form
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

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


def errors_text(form: Form) -> str:
    """A form's errors as one message, each after its field's label (for a one-line notice)."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)


def messages_of(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def perform_with_message(request, perform) -> bool:
    """Call a service for a one-button form; a stale version or a broken rule becomes an
    error message on the next page. Returns True when the service succeeded."""
    from django.contrib import messages

    try:
        perform()
    except (ConcurrentEdit, ValidationError) as exc:
        messages.error(request, messages_of(exc))
        return False
    return True


def _attributes(attrs: dict) -> str:
    """As Django's widgets/attrs.html writes them, in the same order."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )


class QuickSelect(forms.Select):
    """Django's Select, with the same markup, written in Python instead of one template
    include per option: the referral form's 200 agencies and the 250 countries of a
    nationality list cost most of a case page's time when rendered option by option."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attributes(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    str(option["value"]),
                    _attributes(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part went through format_html


class PickerSelect(QuickSelect):
    """A QuickSelect for a long list in groups (the agencies of 15 countries, by country):
    corridor/agency-picker.js puts a filter box above it that keeps the options whose name,
    or whose group's, holds every word typed. Without script the groups and the browser's
    own type-ahead remain. The script is named after the list, not inline (CSP), once per
    picker: it starts once per page."""

    script = "corridor/agency-picker.js"
    filter_label = _("Type to filter the list")
    no_match = _("Nothing in the list matches.")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-picker": True,
                "data-picker-label": str(self.filter_label),
                "data-picker-empty": str(self.no_match),
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        return select + format_html('<script src="{}" defer></script>', static(self.script))


class PickerSelectMultiple(PickerSelect, forms.SelectMultiple):
    """The same for choosing several (Ctrl or ⌘ + click): the chosen stay shown whatever
    is typed."""
