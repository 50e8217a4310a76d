"""Long lists (200 agencies, 250 countries) are rendered in Python, not one template per
option; the markup is exactly what Django's own Select writes, escaping included."""

import re

import pytest
from django import forms

from corridor.accounts.forms import AgencyChoiceField
from corridor.accounts.models import Agency
from corridor.core.forms import QuickSelect

CHOICES = [
    ("", "—"),
    ("IT", 'Italy & <script>"'),
    ("NG", "Nigeria"),
    ("West Africa", [("GH", "Ghana"), ("SN", "Senegal")]),
]


def _markup(bound_field) -> str:
    html = str(bound_field)
    html = re.sub(r'(id|name)="[^"]+"', r'\1="x"', html)
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("initial", ["", "NG", "GH"])
@pytest.mark.parametrize("required", [True, False])
def test_the_markup_is_django_s_own(initial, required):
    class Form(forms.Form):
        django = forms.ChoiceField(choices=CHOICES, required=required, disabled=not required)
        quick = forms.ChoiceField(
            choices=CHOICES, required=required, disabled=not required, widget=QuickSelect
        )

    form = Form(initial={"django": initial, "quick": initial})
    assert _markup(form["quick"]) == _markup(form["django"])
    assert "&lt;script&gt;&quot;" in str(form["quick"])


def test_a_bound_model_choice_keeps_the_chosen_agency(db):
    agencies = [Agency.objects.create(name=f"Shelter {n}", country="IT") for n in range(3)]

    class Form(forms.Form):
        agency = AgencyChoiceField(queryset=Agency.objects.order_by("name"))

    form = Form(data={"agency": agencies[1].pk})
    assert form.is_valid()
    html = str(form["agency"])
    assert f'<option value="{agencies[1].pk}" selected>Shelter 1</option>' in html
    assert html.count("<option") == 4  # the empty choice and three agencies
    assert html.count('<optgroup label="Italy">') == 1  # grouped by country
