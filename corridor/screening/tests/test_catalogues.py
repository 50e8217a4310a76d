"""Indicator catalogues are versioned data: the ILO/EC lists ship as version 1, a published
version never changes, administrators edit a new draft and publish it, old screenings keep
the version they were scored with, and national variants load from a checked file."""

import copy
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from corridor.audit.models import AuditEvent
from corridor.screening import loader, services
from corridor.screening.models import Indicator, IndicatorCatalogue, Screening

from .conftest import FORCED_LABOUR


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


# --- the shipped lists ------------------------------------------------------------------------


def test_the_four_ilo_ec_lists_ship_published_with_a_warning_to_check_them(catalogues):
    assert set(catalogues) == {"adult_labour", "adult_sexual", "child_labour", "child_sexual"}
    for catalogue in catalogues.values():
        assert catalogue.version == 1
        assert "checked against the original" in catalogue.source_note
        assert list(catalogue.dimensions.values_list("code", flat=True)) == [
            "deceptive_recruitment",
            "coercive_recruitment",
            "abusive_recruitment",
            "exploitation",
            "coercion_at_destination",
            "abuse_at_destination",
        ]


def test_the_adult_labour_list_is_the_one_in_indicators_md(catalogues):
    """Strong / medium / weak counts per dimension, as transcribed in INDICATORS.md."""
    catalogue = catalogues["adult_labour"]
    counts = {}
    for dimension in catalogue.dimensions.all():
        strengths = list(dimension.indicators.values_list("strength", flat=True))
        counts[dimension.code] = tuple(strengths.count(s) for s in "SMW")
    assert counts == {
        "deceptive_recruitment": (1, 8, 1),
        "coercive_recruitment": (1, 9, 0),
        "abusive_recruitment": (0, 11, 4),
        "exploitation": (1, 7, 1),
        "coercion_at_destination": (4, 10, 1),
        "abuse_at_destination": (0, 5, 2),
    }


@pytest.mark.parametrize("name", loader.SHIPPED)
def test_every_shipped_question_is_in_english_french_portuguese_and_arabic(name):
    data = loader.read_file(loader.DATA_DIR / name)
    for dimension in data["dimensions"]:
        assert {"en", "fr", "pt", "ar"} <= set(dimension["label"])
        for indicator in dimension["indicators"]:
            assert {"en", "fr", "pt", "ar"} <= set(indicator["text"]), indicator["code"]


def test_the_page_falls_back_to_english_for_a_language_the_list_lacks(world, catalogues):
    indicator = catalogues["adult_labour"].indicators.get(code="dr_wages")
    from django.utils import translation

    with translation.override("fr"):
        assert indicator.display_text.startswith("La personne a-t-elle été trompée")
    with translation.override("de"):
        assert indicator.display_text == "Was the person deceived about wages or earnings?"


# --- versioning -------------------------------------------------------------------------------


def test_a_published_version_cannot_change(world, catalogues):
    catalogue = catalogues["adult_labour"]
    indicator = catalogue.indicators.get(code="dr_wages")
    with pytest.raises(ValidationError):
        services.update_indicator(
            indicator, actor=world.users.admin, strength="S", text={"en": "Paid?"}
        )
    indicator.strength = "S"
    with pytest.raises(ValidationError):
        indicator.save()
    with pytest.raises(ValidationError):
        indicator.delete()
    catalogue.name = {"en": "Renamed"}
    with pytest.raises(ValidationError):
        catalogue.save()
    with pytest.raises(ValidationError):
        catalogue.delete()
    assert Indicator.objects.get(pk=indicator.pk).strength == "M"


def test_editing_makes_a_new_version_and_old_screenings_keep_theirs(world, adult, catalogues):
    v1 = catalogues["adult_labour"]
    old = services.screen_person(
        adult,
        actor=world.users.responder,
        catalogue=v1,
        answers={"dr_wages": True, "dr_travel": True},
    )
    assert old.result == "no_indicators"  # two medium deceptions meet nothing

    admin = world.users.admin
    v2 = services.copy_catalogue(v1, actor=admin)
    assert (v2.version, v2.published, v2.based_on) == (2, False, v1)
    assert v2.indicators.count() == v1.indicators.count()
    with pytest.raises(ValidationError):
        services.copy_catalogue(v1, actor=admin)  # one draft at a time
    # A national choice: being lied to about wages counts as strong.
    services.update_indicator(
        v2.indicators.get(code="dr_wages"),
        actor=admin,
        strength="S",
        text={"en": "Was the person lied to about the pay?", "fr": "A-t-on menti sur le salaire ?"},
    )
    with pytest.raises(ValidationError):
        services.screen_person(adult, actor=world.users.responder, catalogue=v2, answers={})
    services.publish_catalogue(v2, actor=admin)

    v1.refresh_from_db()
    assert v1.state == "retired" and v2.state == "offered"
    assert services.active_catalogue("adult_labour") == v2
    assert v1.indicators.get(code="dr_wages").strength == "M"
    with pytest.raises(ValidationError) as error:
        services.screen_person(adult, actor=world.users.responder, catalogue=v1, answers={})
    assert "catalogue" in error.value.message_dict

    new = services.screen_person(
        adult,
        actor=world.users.responder,
        catalogue=v2,
        answers={"dr_wages": True, "dr_travel": True},
    )
    assert new.result == "possible_victim"  # strong + medium now meet deceptive recruitment
    old.refresh_from_db()
    assert old.catalogue == v1 and old.result == "no_indicators"
    assert (
        AuditEvent.objects.filter(action="admin", object_ref="ilo-ec-2009-adult-labour v2").count()
        == 3
    )


def test_only_administrators_change_catalogues(world, catalogues):
    v1 = catalogues["adult_sexual"]
    for user in (world.users.coordinator, world.users.responder, world.users.analyst):
        with pytest.raises(PermissionDenied):
            services.copy_catalogue(v1, actor=user)
    draft = services.copy_catalogue(v1, actor=world.users.admin)
    with pytest.raises(PermissionDenied):
        services.publish_catalogue(draft, actor=world.users.coordinator)
    with pytest.raises(PermissionDenied):
        services.update_indicator(
            draft.indicators.first(), actor=world.users.coordinator, strength="W", text={"en": "?"}
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"strength": "X"}, "strength"),
        ({"text": {"fr": "Seulement en français"}}, "text_en"),
        ({"methods_of_control": ["MethodsOfControlMagic"]}, "methods_of_control"),
        ({"exploitation": ["piracy"]}, "exploitation"),
    ],
)
def test_a_bad_indicator_edit_names_the_field(world, catalogues, changes, field):
    draft = services.copy_catalogue(catalogues["child_labour"], actor=world.users.admin)
    indicator = draft.indicators.get(code="dr_wages")
    kwargs = {"strength": "M", "text": {"en": "Paid?"}, **changes}
    with pytest.raises(ValidationError) as error:
        services.update_indicator(indicator, actor=world.users.admin, **kwargs)
    assert field in error.value.message_dict
    indicator.refresh_from_db()
    assert indicator.text["en"] == "Was the person deceived about wages or earnings?"


# --- the administration pages -----------------------------------------------------------------


def test_an_administrator_copies_edits_and_publishes_on_the_pages(client, world, catalogues):
    client.force_login(world.users.admin)
    page = client.get("/screening/catalogues/")
    assert page.status_code == 200 and "ilo-ec-2009-child-sexual v1" in page.content.decode()
    v1 = catalogues["adult_labour"]
    assert client.get(f"/screening/catalogues/{v1.pk}/").status_code == 200
    response = client.post(f"/screening/catalogues/{v1.pk}/copy/")
    v2 = IndicatorCatalogue.objects.get(code=v1.code, version=2)
    assert response.url == f"/screening/catalogues/{v2.pk}/"
    indicator = v2.indicators.get(code="ex_hazardous_work")
    url = f"/screening/catalogues/{v2.pk}/indicators/{indicator.pk}/"
    form = client.get(url).context["form"]
    assert form.initial["text_pt"] == "O trabalho era perigoso?"
    response = client.post(
        url,
        {
            "strength": "S",
            "text_en": "Was the work dangerous (chemicals, heights, machines)?",
            "text_fr": "Le travail était-il dangereux ?",
            "methods_of_control": [],
            "exploitation": [],
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.strength == "S" and "pt" not in indicator.text
    client.post(f"/screening/catalogues/{v2.pk}/publish/")
    v2.refresh_from_db()
    assert v2.state == "offered"
    # The published version's edit page sends the administrator back.
    response = client.get(url)
    assert response.status_code == 302


@pytest.mark.parametrize("username", ["coordinator", "responder", "analyst"])
def test_catalogue_pages_are_for_administrators(client, world, catalogues, username):
    client.force_login(getattr(world.users, username))
    v1 = catalogues["adult_labour"]
    assert client.get("/screening/catalogues/").status_code == 403
    assert client.post(f"/screening/catalogues/{v1.pk}/copy/").status_code == 403
    assert IndicatorCatalogue.objects.count() == 4


def test_the_catalogue_list_takes_a_fixed_number_of_queries(
    client, world, catalogues, django_assert_max_num_queries
):
    client.force_login(world.users.admin)
    for catalogue in list(catalogues.values())[:2]:
        services.copy_catalogue(catalogue, actor=world.users.admin)
    with django_assert_max_num_queries(12):
        assert client.get("/screening/catalogues/").status_code == 200


# --- load_indicators --------------------------------------------------------------------------


@pytest.fixture
def variant(tmp_path):
    data = loader.read_file(loader.DATA_DIR / "ilo_ec_2009_adult_labour.json")
    data = copy.deepcopy(data)
    data["code"] = "it-2026-adult-labour"
    data["name"] = {"en": "Italy 2026: adults, labour", "it": "Italia 2026: adulti, lavoro"}
    data["dimensions"][3]["indicators"].append(
        {
            "code": "ex_caporalato",
            "strength": "M",
            "text": {
                "en": "Was the person hired through a gangmaster (caporale)?",
                "it": "È stato reclutato tramite un caporale?",
            },
            "methods_of_control": ["MethodsOfControlTakesEarnings"],
        }
    )

    def write(content) -> str:
        path = tmp_path / "variant.json"
        path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
        return str(path)

    return data, write


def test_a_national_variant_loads_as_a_draft_then_published(world, catalogues, variant):
    data, write = variant
    call_command("load_indicators", write(data))
    loaded = IndicatorCatalogue.objects.get(code="it-2026-adult-labour")
    assert not loaded.published and loaded.indicators.count() == 67
    data["version"] = 2
    call_command("load_indicators", write(data), "--publish")
    assert services.active_catalogue("adult_labour").code == "it-2026-adult-labour"
    catalogues["adult_labour"].refresh_from_db()
    assert catalogues["adult_labour"].state == "retired"


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (
            lambda d: d["dimensions"][3]["indicators"][2].update(strength="X"),
            "dimensions[3].indicators[2] (ex_hazardous_work): strength must be S, M or W",
        ),
        (
            lambda d: d["dimensions"][0]["indicators"][1]["text"].pop("en"),
            "dimensions[0].indicators[1] (dr_conditions_of_work).text: the English text (en) is required",
        ),
        (
            lambda d: d["dimensions"][4]["indicators"][0].update(
                methods_of_control=["MethodsOfControlMagic"]
            ),
            "dimensions[4].indicators[0] (cd_documents).methods_of_control: 'MethodsOfControlMagic'",
        ),
        (
            lambda d: d["dimensions"][1]["indicators"].append(
                dict(d["dimensions"][0]["indicators"][0])
            ),
            "dimensions[1].indicators[10] (dr_nature_of_job): code already used at dimensions[0].indicators[0]",
        ),
        (lambda d: d["dimensions"].pop(5), "dimensions: missing abuse_at_destination"),
        (lambda d: d.update(list_kind="elderly_labour"), "list_kind: 'elderly_labour'"),
        (
            lambda d: d["dimensions"][2]["indicators"][0].update(strenght="M"),
            "dimensions[2].indicators[0] (ar_family_difficulty): unknown key 'strenght'",
        ),
    ],
)
def test_a_bad_file_is_refused_whole_naming_the_entry(world, catalogues, variant, damage, expected):
    data, write = variant
    damage(data)
    before = (IndicatorCatalogue.objects.count(), Indicator.objects.count())
    with pytest.raises(CommandError) as error:
        call_command("load_indicators", write(data))
    assert expected in str(error.value)
    assert "nothing was loaded" in str(error.value)
    assert (IndicatorCatalogue.objects.count(), Indicator.objects.count()) == before


def test_a_file_that_is_not_json_or_already_loaded_is_refused(world, catalogues, variant):
    data, write = variant
    with pytest.raises(CommandError, match="not valid JSON at line 1"):
        call_command("load_indicators", write('{"code": '))
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_indicators", "/nonexistent/list.json")
    shipped = str(loader.DATA_DIR / "ilo_ec_2009_child_labour.json")
    with pytest.raises(CommandError, match="already loaded"):
        call_command("load_indicators", shipped)
    assert IndicatorCatalogue.objects.count() == 4
    assert not Screening.objects.exists()


def test_an_old_screening_explains_itself_with_its_own_version(client, world, adult, catalogues):
    v1 = catalogues["adult_labour"]
    screening = services.screen_person(
        adult, actor=world.users.responder, catalogue=v1, answers=FORCED_LABOUR
    )
    v2 = services.copy_catalogue(v1, actor=world.users.admin)
    services.update_indicator(
        v2.indicators.get(code="dr_nature_of_job"),
        actor=world.users.admin,
        strength="S",
        text={"en": "Reworded in version 2?"},
    )
    services.publish_catalogue(v2, actor=world.users.admin)
    client.force_login(world.users.responder)
    html = client.get(f"/screening/{screening.reference}/").content.decode()
    assert "Was the person deceived about the nature of the job" in html
    assert "Reworded in version 2?" not in html


@pytest.mark.django_db(transaction=True)
def test_the_shipped_lists_can_be_reinstalled_after_a_flush(world):
    """Transactional tests flush what the data migration loaded; installing is idempotent."""
    services.install_shipped_catalogues()
    assert services.install_shipped_catalogues() == []
    assert IndicatorCatalogue.objects.offered().count() == 4
