"""The screening form as an XLSForm, for offline collection in ODK Collect / KoBoToolbox.

One form per published indicator catalogue version: a person block (the Corridor reference
if the person is already registered, sex, age or unknown age, nationality, languages), one
group per dimension with a yes / no / don't know question per indicator named by the
indicator's code, the smuggling question, and where the screening took place. The form
carries the catalogue's code and version in calculated fields, so an export of its
submissions says which indicators it was answered with. Labels are given in Corridor's four
languages, the indicator texts as the catalogue holds them.

The layout follows the XLSForm conventions (https://xlsform.org): `survey`, `choices` and
`settings` sheets, `label::Language (code)` columns, groups with `begin_group`/`end_group`.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Callable

import pycountry
from django.conf import settings
from django.db.models import Count
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from corridor.core.spreadsheets import append_row
from corridor.screening.models import IndicatorCatalogue, localized
from corridor.vocabularies import Sex

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Names the importer reads back (KoBo joins groups with "/", ODK Central with "-").
PERSON_GROUP = "person"
LOCATION_GROUP = "location"
CATALOGUE_FIELD = "corridor_catalogue"
VERSION_FIELD = "corridor_catalogue_version"
ANSWERS = ("yes", "no", "dont_know")
AGE_KNOWN, AGE_ESTIMATED, AGE_UNKNOWN = "known", "estimated", "unknown"
# Languages offered in the form's list (ISO 639-1), those most spoken along the routes.
ROUTE_LANGUAGES = (
    "en",
    "fr",
    "ar",
    "pt",
    "es",
    "it",
    "ha",
    "yo",
    "ig",
    "bm",
    "wo",
    "ff",
    "tw",
    "ee",
    "ln",
    "sw",
    "ti",
    "am",
    "so",
    "om",
    "ps",
    "fa",
    "ur",
    "bn",
)
FORM_LANGUAGES = (
    ("en", "English"),
    ("fr", "Français"),
    ("pt", "Português"),
    ("ar", "العربية"),
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def field_name(code: str) -> str:
    """An indicator or dimension code as an XLSForm question name (no "-", "/" or ".")."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", code)
    return name if _NAME.match(name) else f"i_{name}"


def catalogues_for_forms():
    """The catalogue versions a screener may use now, with their number of indicators."""
    return (
        IndicatorCatalogue.objects.offered()
        .annotate(indicator_count=Count("indicators"))
        .order_by("list_kind", "code")
    )


def get_catalogue(code: str, version: int | str | None = None) -> IndicatorCatalogue:
    """A published catalogue version (by default the one in use); 404 for anything else."""
    catalogues = IndicatorCatalogue.objects.filter(code=code, published=True)
    if version not in (None, ""):
        try:
            catalogue = catalogues.filter(version=int(version)).first()
        except (TypeError, ValueError):
            catalogue = None
    else:
        catalogue = (
            catalogues.filter(retired_at__isnull=True).first()
            or catalogues.order_by("-version").first()
        )
    if catalogue is None:
        raise Http404("No such published catalogue.")
    return catalogue


def form_id(catalogue: IndicatorCatalogue) -> str:
    return field_name(f"corridor_{catalogue.code}")


def form_version(catalogue: IndicatorCatalogue) -> str:
    return str(catalogue.version)


def file_name(catalogue: IndicatorCatalogue) -> str:
    return f"corridor-screening-{catalogue.code}-v{catalogue.version}.xlsx"


# --- texts in the form's languages ----------------------------------------------------------


def _label_columns(prefix: str = "label") -> list[str]:
    return [f"{prefix}::{name} ({code})" for code, name in FORM_LANGUAGES]


def _in_each_language(make: Callable[[], str]) -> list[str]:
    """`make()` evaluated with each form language active (Django's translations)."""
    texts = []
    for code, _name in FORM_LANGUAGES:
        with translation.override(code):
            texts.append(str(make()))
    return texts


def _from_dict(texts: dict | str, fallback: str = "") -> list[str]:
    return [localized(texts, code) or fallback for code, _name in FORM_LANGUAGES]


def _iso_translations(domain: str) -> dict[str, gettext.NullTranslations]:
    found = {}
    for code, _name in FORM_LANGUAGES:
        try:
            found[code] = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[code])
        except OSError:
            found[code] = gettext.NullTranslations()
    return found


# --- the workbook ---------------------------------------------------------------------------


SURVEY_COLUMNS = [
    "type",
    "name",
    *_label_columns(),
    *_label_columns("hint"),
    "required",
    "relevant",
    "constraint",
    *_label_columns("constraint_message"),
    "calculation",
    "appearance",
]


def survey_rows(catalogue: IndicatorCatalogue) -> list[dict]:
    rows: list[dict] = []

    def add(type_: str, name: str = "", label=None, hint=None, message=None, **columns):
        row = {"type": type_, "name": name, **columns}
        for key, texts in (("label", label), ("hint", hint), ("constraint_message", message)):
            if texts is not None:
                values = texts if isinstance(texts, list) else _in_each_language(texts)
                row.update(dict(zip(_label_columns(key), values, strict=True)))
        rows.append(row)

    add("start", "start")
    add("end", "end")
    add("today", "today")
    add("deviceid", "deviceid")
    add("calculate", CATALOGUE_FIELD, calculation=f"'{catalogue.code}'")
    add("calculate", VERSION_FIELD, calculation=f"'{catalogue.version}'")

    add("begin_group", PERSON_GROUP, label=lambda: _("The person"))
    add(
        "text",
        "reference",
        label=lambda: _("Corridor reference, if the person is already registered"),
        hint=lambda: _("For example P-7K3F9QXM. Leave empty for a person not yet registered."),
        constraint=". = '' or regex(., '^[Pp]-[0-9A-Za-z]{8}$')",
        message=lambda: _("A person reference looks like P-7K3F9QXM."),
    )
    new_person = "${reference} = ''"
    add(
        "select_one sex",
        "sex",
        label=lambda: _("Sex"),
        required="yes",
        relevant=new_person,
    )
    # The service screens a person presumed to be a minor (age unknown, or under 18) only
    # with a children's list: the form enforces the same on the phone.
    if catalogue.is_child:
        status_constraint, status_message = "", None
        age_constraint = ". >= 0 and . < 18"
        age_message = lambda: _("18 or over: use the adults' form for this person.")  # noqa: E731
        min_constraint, min_message = age_constraint, age_message
    else:
        status_constraint = f". != '{AGE_UNKNOWN}'"
        status_message = lambda: _(  # noqa: E731
            "A person whose age is unknown is treated as a child: use the children's form."
        )
        age_constraint = ". >= 18 and . <= 120"
        age_message = lambda: _("Under 18: use the children's form for this person.")  # noqa: E731
        min_constraint = age_constraint
        min_message = lambda: _(  # noqa: E731
            "Possibly under 18: the person is treated as a child; use the children's form."
        )
    add(
        "select_one age_status",
        "age_status",
        label=lambda: _("Age"),
        hint=lambda: _("A person whose age is unknown is treated as a child."),
        required="yes",
        relevant=new_person,
        constraint=status_constraint,
        message=status_message,
    )
    add(
        "integer",
        "age",
        label=lambda: _("Age in years"),
        required="yes",
        relevant=f"${{age_status}} = '{AGE_KNOWN}'",
        constraint=age_constraint,
        message=age_message,
    )
    add(
        "integer",
        "age_min",
        label=lambda: _("Estimated age from"),
        required="yes",
        relevant=f"${{age_status}} = '{AGE_ESTIMATED}'",
        constraint=min_constraint,
        message=min_message,
    )
    add(
        "integer",
        "age_max",
        label=lambda: _("Estimated age to"),
        required="yes",
        relevant=f"${{age_status}} = '{AGE_ESTIMATED}'",
        constraint=". >= ${age_min} and . <= 120",
        message=lambda: _("Not below the lower estimate, and at most 120."),
    )
    add(
        "select_one country",
        "nationality",
        label=lambda: _("Nationality"),
        relevant=new_person,
        appearance="autocomplete",
    )
    add(
        "select_multiple language",
        "languages",
        label=lambda: _("Languages spoken"),
        relevant=new_person,
        appearance="minimal",
    )
    add("end_group", PERSON_GROUP)

    dimensions = catalogue.dimensions.prefetch_related("indicators").order_by("order", "pk")
    for dimension in dimensions:
        label = _from_dict(dimension.label, fallback=dimension.display_label)
        add("begin_group", field_name(dimension.code), label=label)
        for indicator in sorted(dimension.indicators.all(), key=lambda i: (i.order, i.pk)):
            add(
                "select_one answer",
                field_name(indicator.code),
                label=_from_dict(indicator.text, fallback=indicator.code),
                required="yes",
                appearance="horizontal-compact",
            )
        add("end_group", field_name(dimension.code))

    add(
        "select_one yes_no",
        "smuggling",
        label=lambda: _(
            "Was the person smuggled (paid someone to cross a border irregularly) and do they "
            "need assistance?"
        ),
        required="yes",
    )
    add("begin_group", LOCATION_GROUP, label=lambda: _("Where the screening took place"))
    add("text", "place", label=lambda: _("Place"))
    add("geopoint", "geopoint", label=lambda: _("GPS location (optional)"))
    add("end_group", LOCATION_GROUP)
    add("text", "notes", label=lambda: _("Notes"), appearance="multiline")
    return rows


def choice_rows() -> list[dict]:
    rows: list[dict] = []

    def add(list_name: str, name: str, labels: list[str]):
        rows.append(
            {
                "list_name": list_name,
                "name": name,
                **dict(zip(_label_columns(), labels, strict=True)),
            }
        )

    for name, label in (
        ("yes", lambda: _("Yes")),
        ("no", lambda: _("No")),
        ("dont_know", lambda: _("Don't know")),
    ):
        add("answer", name, _in_each_language(label))
    for name, label in (("yes", lambda: _("Yes")), ("no", lambda: _("No"))):
        add("yes_no", name, _in_each_language(label))
    for value, label in Sex.choices:
        add("sex", value, _in_each_language(lambda label=label: label))
    for name, label in (
        (AGE_KNOWN, lambda: _("Known")),
        (AGE_ESTIMATED, lambda: _("Estimated")),
        (AGE_UNKNOWN, lambda: _("Unknown")),
    ):
        add("age_status", name, _in_each_language(label))
    countries = _iso_translations("iso3166-1")
    for country in sorted(pycountry.countries, key=lambda c: c.name):
        add(
            "country",
            country.alpha_2,
            [countries[code].gettext(country.name) for code, _n in FORM_LANGUAGES],
        )
    languages = _iso_translations("iso639-3")
    for code in ROUTE_LANGUAGES:
        language = pycountry.languages.get(alpha_2=code)
        add(
            "language",
            code,
            [languages[lang].gettext(language.name) for lang, _n in FORM_LANGUAGES],
        )
    return rows


def settings_row(catalogue: IndicatorCatalogue) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Corridor screening — {catalogue} (version {version})").format(
            catalogue=localized(catalogue.name, "en") or catalogue.code, version=catalogue.version
        )
    return {
        "form_title": title,
        "form_id": form_id(catalogue),
        "version": form_version(catalogue),
        "default_language": f"{FORM_LANGUAGES[0][1]} ({FORM_LANGUAGES[0][0]})",
        "instance_name": "concat('screening-', ${today})",
    }


def build_xlsform(catalogue: IndicatorCatalogue) -> bytes:
    """The XLSForm of one published catalogue version, as .xlsx bytes."""
    from openpyxl import Workbook

    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    _write(survey, SURVEY_COLUMNS, survey_rows(catalogue))
    choices = workbook.create_sheet("choices")
    _write(choices, ["list_name", "name", *_label_columns()], choice_rows())
    settings_sheet = workbook.create_sheet("settings")
    row = settings_row(catalogue)
    _write(settings_sheet, list(row), [row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write(sheet, columns: list[str], rows: list[dict]) -> None:
    """Texts (an indicator's, a catalogue's name) are never written as formulas."""
    append_row(sheet, columns)
    for row in rows:
        append_row(sheet, [row.get(column, "") or None for column in columns])
