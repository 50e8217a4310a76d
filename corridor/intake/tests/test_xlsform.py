"""The screening form leaves Corridor as an XLSForm that ODK Collect and KoBoToolbox accept.

Each published indicator list becomes one form: pyxform converts it to an XForm (and, where
Java is installed, ODK Validate checks it), every indicator of the list is a question named
by its code, and a submission answered on that form comes back in through the importer.
"""

import io
import re
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from corridor.intake import services, xlsform
from corridor.screening.models import Indicator, IndicatorCatalogue, ListKind, Screening


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def offered(list_kind: str) -> IndicatorCatalogue:
    return IndicatorCatalogue.objects.offered().get(list_kind=list_kind)


def sheet_rows(content: bytes, name: str) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content))[name]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def binds(xform: str) -> set[str]:
    return set(re.findall(r'<bind nodeset="/[^/"]+/([^"]+)"', xform))


@pytest.mark.parametrize("list_kind", ListKind.values)
def test_every_published_list_becomes_a_valid_xlsform_with_all_its_indicators(db, list_kind):
    catalogue = offered(list_kind)
    content = xlsform.build_xlsform(catalogue)
    warnings: list[str] = []
    result = convert(content, warnings=warnings, file_type=".xlsx")
    assert warnings == []
    paths = binds(result.xform)
    indicators = catalogue.indicators.select_related("dimension")
    assert indicators.count() > 60
    for indicator in indicators:
        assert f"{indicator.dimension.code}/{indicator.code}" in paths
    assert {
        "person/reference",
        "person/sex",
        "person/age_status",
        "person/age",
        "person/nationality",
        "person/languages",
        "smuggling",
        "location/place",
        "location/geopoint",
        "corridor_catalogue",
        "corridor_catalogue_version",
    } <= paths


def test_the_form_id_and_version_come_from_the_catalogue(db):
    catalogue = offered(ListKind.ADULT_LABOUR)
    content = xlsform.build_xlsform(catalogue)
    settings_row = sheet_rows(content, "settings")[0]
    assert settings_row["form_id"] == "corridor_ilo_ec_2009_adult_labour"
    assert settings_row["version"] == str(catalogue.version)
    survey = {row["name"]: row for row in sheet_rows(content, "survey") if row["name"]}
    assert survey["corridor_catalogue"]["calculation"] == "'ilo-ec-2009-adult-labour'"
    assert survey["dr_nature_of_job"]["type"] == "select_one answer"
    assert survey["dr_nature_of_job"]["label::Français (fr)"].startswith("La personne a-t-elle")
    answers = {r["name"] for r in sheet_rows(content, "choices") if r["list_name"] == "answer"}
    assert answers == {"yes", "no", "dont_know"}
    assert survey["geopoint"]["type"] == "geopoint" and not survey["geopoint"]["required"]


def test_the_adults_form_sends_a_person_of_unknown_age_to_the_childrens_form(db):
    adult = {
        r["name"]: r
        for r in sheet_rows(xlsform.build_xlsform(offered("adult_labour")), "survey")
        if r["name"]
    }
    child = {
        r["name"]: r
        for r in sheet_rows(xlsform.build_xlsform(offered("child_labour")), "survey")
        if r["name"]
    }
    assert adult["age_status"]["constraint"] == ". != 'unknown'"
    assert adult["age"]["constraint"] == ". >= 18 and . <= 120"
    assert adult["age_min"]["constraint"] == ". >= 18 and . <= 120"
    assert child["age_status"]["constraint"] is None
    assert child["age"]["constraint"] == ". >= 0 and . < 18"


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_odk_validate_accepts_the_form(db):
    convert(xlsform.build_xlsform(offered(ListKind.CHILD_SEXUAL)), validate=True, file_type=".xlsx")


def test_a_submission_answered_on_the_form_comes_back_in(world):
    """Build a KoBo-style submission from the XForm's own question paths and import it."""
    catalogue = offered(ListKind.ADULT_SEXUAL)
    paths = binds(convert(xlsform.build_xlsform(catalogue), file_type=".xlsx").xform)
    codes = set(catalogue.indicators.values_list("code", flat=True))
    submission = {"meta/instanceID": "uuid:round-trip-1"}
    for path in paths:
        name = path.rsplit("/", 1)[-1]
        if name in codes:
            submission[path] = "no"
    submission.update(
        {
            "corridor_catalogue": catalogue.code,
            "corridor_catalogue_version": str(catalogue.version),
            "person/sex": "female",
            "person/age_status": "known",
            "person/age": "27",
            "person/nationality": "NG",
            "person/languages": "en",
            "smuggling": "no",
            "location/place": "Torino",
        }
    )
    assert set(submission) - {"meta/instanceID"} <= paths
    result = services.import_submissions(actor=world.users.responder, submissions=[submission])
    assert result.screenings == 1
    assert Screening.objects.get().result == "no_indicators"


# --- the page, the API and the command --------------------------------------------------


def test_a_responder_downloads_the_form_from_the_page(client, world):
    client.force_login(world.users.responder)
    page = client.get("/intake/xlsform/")
    assert page.status_code == 200
    assert [c.list_kind for c in page.context["catalogues"]] == sorted(ListKind.values)
    assert b"?catalogue=ilo-ec-2009-adult-labour&amp;version=1" in page.content
    response = client.get("/intake/xlsform/?catalogue=ilo-ec-2009-adult-labour")
    assert response.status_code == 200
    assert response["Content-Type"] == xlsform.XLSX_TYPE
    assert (
        'filename="corridor-screening-ilo-ec-2009-adult-labour-v1.xlsx"'
        in response["Content-Disposition"]
    )
    convert(response.content, file_type=".xlsx")


def test_an_unknown_or_draft_catalogue_is_not_found(client, world):
    draft = IndicatorCatalogue.objects.create(
        code="draft-list", version=1, list_kind="adult_labour", name={"en": "Draft"}
    )
    client.force_login(world.users.responder)
    assert client.get("/intake/xlsform/?catalogue=nope").status_code == 404
    assert client.get(f"/intake/xlsform/?catalogue={draft.code}").status_code == 404
    assert (
        client.get("/intake/xlsform/?catalogue=ilo-ec-2009-adult-labour&version=x").status_code
        == 404
    )


@pytest.mark.parametrize("who", ["provider", "prosecutor", "analyst"])
def test_roles_that_do_not_screen_get_no_form(client, world, who):
    client.force_login(getattr(world.users, who))
    assert client.get("/intake/xlsform/").status_code == 403


def test_the_api_serves_the_form(client, world):
    from corridor.accounts.services import issue_api_token

    _token, raw = issue_api_token(actor=world.users.coordinator, name="kobo sync")
    headers = {"Authorization": f"Bearer {raw}"}
    response = client.get(
        "/api/intake/xlsform", {"catalogue": "ilo-ec-2009-child-labour"}, headers=headers
    )
    assert response.status_code == 200
    assert response["Content-Type"] == xlsform.XLSX_TYPE
    convert(response.content, file_type=".xlsx")
    assert client.get("/api/intake/xlsform", {"catalogue": "x"}, headers=headers).status_code == 404
    assert (
        client.get("/api/intake/xlsform", {"catalogue": "ilo-ec-2009-child-labour"}).status_code
        == 401
    )


def test_the_command_exports_one_form_or_all_of_them(db, tmp_path):
    out = StringIO()
    target = tmp_path / "adult.xlsx"
    call_command("export_xlsform", "ilo-ec-2009-adult-labour", "-o", str(target), stdout=out)
    assert "form_id corridor_ilo_ec_2009_adult_labour, version 1" in out.getvalue()
    convert(target.read_bytes(), file_type=".xlsx")
    call_command("export_xlsform", "--all", "--output-dir", str(tmp_path / "forms"), stdout=out)
    assert len(list((tmp_path / "forms").glob("*.xlsx"))) == 4
    with pytest.raises(CommandError, match="In use: "):
        call_command("export_xlsform", "nope", stdout=out)


def test_a_text_that_looks_like_a_formula_is_written_as_text_in_the_form(db):
    """An indicator's question or a list's name is an administrator's text: in the XLSForm
    it stays that very text, never a formula Excel would run when the form is opened."""
    catalogue = offered(ListKind.ADULT_LABOUR)
    indicator = catalogue.indicators.order_by("dimension__order", "order", "pk").first()
    payload = '=HYPERLINK("http://x","Click")'
    Indicator.objects.filter(pk=indicator.pk).update(
        text={"en": payload, "fr": "+cmd|' /C calc'!A0"}
    )
    content = xlsform.build_xlsform(catalogue)
    workbook = load_workbook(io.BytesIO(content))
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    survey = {r["name"]: r for r in sheet_rows(content, "survey") if r["name"]}
    row = survey[xlsform.field_name(indicator.code)]
    assert row["label::English (en)"] == payload  # exactly as written, for the phone
    assert row["label::Français (fr)"] == "+cmd|' /C calc'!A0"
    marked = [c for c in cells if c.value == payload]
    assert marked and all(c.quotePrefix and c.data_type == "s" for c in marked)
    result = convert(content, warnings=[], file_type=".xlsx")
    assert "HYPERLINK" in result.xform
