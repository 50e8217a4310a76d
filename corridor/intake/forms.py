from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.intake.importers import TARGETS

ACCEPTED_FILES = (
    ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Register file"),
        help_text=_("CSV or Excel (.xlsx); the first row holds the column names."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )


class MappingForm(forms.Form):
    """One choice per column of the file: which Corridor field it fills, or none."""

    open_cases = forms.BooleanField(
        label=_("Open a protection case for every person"),
        required=False,
        help_text=_("Otherwise a case is opened only where a row names a form of exploitation."),
    )
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        required=False,
        max_length=100,
        help_text=_("Optional: the next file with the same columns is mapped the same way."),
    )

    def __init__(self, *args, headers: list[str], initial_mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", _("— not imported —"))] + [(t.name, t.label) for t in TARGETS]
        self.column_fields = []
        for index, header in enumerate(headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=initial_mapping.get(header, ""),
            )
            self.column_fields.append(name)
        self.order_fields([*self.column_fields, "open_cases", "save_as"])

    def column_boundfields(self):
        return [self[name] for name in self.column_fields]

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data[f"column_{index}"]
            for index, header in enumerate(self.headers)
            if self.cleaned_data.get(f"column_{index}")
        }


class SubmissionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Submissions export"),
        help_text=_(
            "The CSV or JSON export of the form's submissions from ODK Central or KoBoToolbox."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}),
    )
