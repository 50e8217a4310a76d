"""The code lists every app shares: one definition each, beneath the apps that use them.

Coded as the data standards do (HTCDS / CTDC for sex and forms of exploitation, ISO 3166 for
countries), so records, statistics and exchanges with partners compare like with like.
This package imports no Corridor app.
"""

from __future__ import annotations

import functools
import gettext
import unicodedata

import pycountry
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Exploitation(models.TextChoices):
    """Forms of exploitation, coded as HTCDS / CTDC do."""

    SEXUAL = "sexual", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminal activity")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    CHILD_SOLDIERING = "child_soldiering", _("Recruitment of children by armed groups")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not yet known")


class ServiceType(models.TextChoices):
    """The services a victim may be referred to — and, alike, the needs they meet."""

    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    MHPSS = "mhpss", _("Mental health and psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    INTERPRETATION = "interpretation", _("Interpretation")
    DOCUMENTATION = "documentation", _("Documentation")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    EDUCATION_LIVELIHOOD = "education_livelihood", _("Education and livelihood")
    RETURN_REINTEGRATION = "return_reintegration", _("Return and reintegration")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    INVESTIGATION = "investigation", _("Criminal investigation")


# --- countries and languages, named in the reader's language (CLDR-like data of ISO 3166 and
# ISO 639 as pycountry ships them, through gettext) ----------------------------------------


@functools.lru_cache(maxsize=32)
def _iso(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _reading_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _collation(name: str) -> str:
    """Sorted as a reader expects: Égypte with the E, not after Z."""
    plain = unicodedata.normalize("NFKD", name)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


collation_key = _collation  # for the apps' own lists of names (the agency picker's)


def is_country(code: str) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-2 country code (any case)."""
    return (
        bool(code) and len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None
    )


def country_name(code: str) -> str:
    """The country of an ISO 3166-1 alpha-2 code in the reader's language; the code itself
    when it is not one."""
    country = pycountry.countries.get(alpha_2=(code or "").upper()) if code else None
    if country is None:
        return code or ""
    return _iso("iso3166-1", _reading_language()).gettext(country.name)


@functools.lru_cache(maxsize=16)
def _country_choices(language: str, first: str) -> tuple[tuple[str, str], ...]:
    names = _iso("iso3166-1", language)
    ordered = sorted(
        ((c.alpha_2, names.gettext(c.name)) for c in pycountry.countries),
        key=lambda choice: (choice[0] != first, _collation(choice[1])),
    )
    return tuple(ordered)


def country_choices() -> list[tuple[str, str]]:
    """Every country, named and sorted in the reader's language, the instance's own first."""
    return list(_country_choices(_reading_language(), settings.CORRIDOR_COUNTRY))


def language_name(code: str) -> str:
    """A language of an ISO 639 code (en, bin) in the reader's language; the code itself when
    it is not one."""
    code = (code or "").strip().lower()
    found = (
        pycountry.languages.get(alpha_2=code)
        if len(code) == 2
        else pycountry.languages.get(alpha_3=code)
        if len(code) == 3
        else None
    )
    if found is None:
        return code
    return _iso("iso639-3", _reading_language()).gettext(found.name)
