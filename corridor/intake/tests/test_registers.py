"""A first responder imports a paper register kept in French: every row or none, never twice.

Files in tests/data/: `registre_fr.csv` (French headers, semicolons, five persons),
`register.xlsx` (English headers, a real date cell, a blank row, a case kind column) and
`register_errors.csv` (two good rows among six bad ones).
"""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from corridor.audit.models import AuditEvent
from corridor.cases.models import ProtectionCase
from corridor.core.testing import PersonFactory
from corridor.intake import services
from corridor.intake.importers import auto_mapping, parse_date, parse_sex
from corridor.intake.models import ImportBatch, ImportMapping
from corridor.people.models import Person

DATA = Path(__file__).parent / "data"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        ProtectionCase.objects.count(),
        AuditEvent.objects.count(),
        ImportBatch.objects.count(),
    )


def imported(batch: ImportBatch) -> dict[str, Person]:
    refs = [c["person"] for c in batch.created]
    return {p.family_name: p for p in Person.objects.filter(reference__in=refs)}


# --- the French register ------------------------------------------------------------------


def test_french_headers_are_recognised():
    headers = ["Nom", "Prénom(s)", "Date de naissance", "Nationalité", "Genre", "Téléphone"]
    assert auto_mapping(headers) == {
        "Nom": "family_name",
        "Prénom(s)": "given_name",
        "Date de naissance": "date_of_birth",
        "Nationalité": "nationality",
        "Genre": "sex",
        "Téléphone": "phone",
    }


@pytest.mark.parametrize(
    ("raw", "code"),
    [("F", "female"), ("Femme", "female"), ("M", "male"), ("Homme", "male"), ("H", "male")]
    + [("féminin", "female"), ("", "unknown"), ("inconnu", "unknown"), ("Autre", "other")],
)
def test_sex_values_in_english_and_french(raw, code):
    assert parse_sex(raw) == code


@pytest.mark.parametrize("raw", ["2024-03-01", "01/03/2024", "1.3.2024", "01-03-2024"])
def test_dates_in_the_usual_formats_are_day_first(raw):
    assert parse_date(raw) == date(2024, 3, 1)


def test_a_french_register_creates_five_persons_with_normalised_values(world):
    responder = world.users.responder
    result = services.import_register(
        actor=responder, content=read("registre_fr.csv"), file_name="registre_fr.csv"
    )
    assert (result.rows, result.persons, result.cases) == (5, 5, 2)
    persons = imported(result.batch)
    assert set(persons) == {"TRAORÉ", "OKAFOR", "DIALLO", "ASANTE", "NDIAYE"}
    aminata = persons["TRAORÉ"]
    assert (aminata.given_name, aminata.sex, aminata.nationality) == ("Aminata", "female", "ML")
    assert (aminata.age_estimate_min, aminata.age_estimate_max) == (15, 17)
    assert aminata.presumed_minor
    assert aminata.languages == "bm, fr"
    assert aminata.phone == "+22365012345"  # the nationality's country is the default region
    assert aminata.narrative.startswith("Rencontrée à la gare")
    blessing = persons["OKAFOR"]
    assert blessing.date_of_birth == date(1998, 5, 12)
    assert (blessing.document_type, blessing.document_number) == ("passport", "A01234567")
    assert blessing.phone == "+2348021234567"
    assert persons["DIALLO"].date_of_birth == date(2001, 3, 1)
    assert persons["DIALLO"].sex == "male" and persons["DIALLO"].nationality == "GN"
    assert persons["ASANTE"].phone == "+233231234567"
    assert persons["NDIAYE"].document_type == "national_id"
    assert all(
        p.owner_agency == world.police and p.created_by == responder for p in persons.values()
    )
    # a case is opened where the row names a form of exploitation
    cases = {
        c.person.family_name: c for c in ProtectionCase.objects.filter(person__in=persons.values())
    }
    assert set(cases) == {"TRAORÉ", "OKAFOR"}
    assert cases["TRAORÉ"].forms_of_exploitation == ["forced_labour"]
    assert cases["OKAFOR"].forms_of_exploitation == ["sexual"]


def test_every_record_and_the_import_itself_are_audited(world):
    before = AuditEvent.objects.count()
    result = services.import_register(
        actor=world.users.responder, content=read("registre_fr.csv"), file_name="registre_fr.csv"
    )
    events = AuditEvent.objects.order_by("id")[before:]
    assert [e.object_type for e in events].count("person") == 5
    assert [e.object_type for e in events].count("protectioncase") == 2
    last = events.last()
    assert (last.object_type, last.object_ref) == ("importbatch", str(result.batch.pk))
    assert last.details["sha256"] == services.sha256(read("registre_fr.csv"))
    assert last.details["persons"] == 5
    assert "Aminata" not in str([e.details for e in events])  # no names in the audit trail


def test_the_import_records_file_name_checksum_counts_who_and_when(world):
    result = services.import_register(
        actor=world.users.responder, content=read("registre_fr.csv"), file_name="registre_fr.csv"
    )
    batch = ImportBatch.objects.get()
    assert batch == result.batch
    assert batch.file_name == "registre_fr.csv" and batch.kind == "register"
    assert batch.sha256 == services.sha256(read("registre_fr.csv"))
    assert (batch.rows, batch.persons_created, batch.cases_created) == (5, 5, 2)
    assert batch.created_by == world.users.responder and batch.agency == world.police
    assert [c["row"] for c in batch.created] == [2, 3, 4, 5, 6]


def test_an_xlsx_register_with_date_cells_blank_rows_and_case_kinds(world):
    result = services.import_register(
        actor=world.users.coordinator, content=read("register.xlsx"), file_name="register.xlsx"
    )
    assert (result.rows, result.persons, result.cases) == (3, 3, 2)
    assert [c["row"] for c in result.batch.created] == [2, 3, 5]  # the blank row 4 is skipped
    persons = imported(result.batch)
    assert persons["Osas"].date_of_birth == date(1999, 8, 21)
    assert persons["Adjei"].date_of_birth == date(2004, 2, 14)
    assert persons["Adjei"].phone == "+233231234567"  # a number cell, country code included
    assert persons["Osas"].owner_agency == world.nrm
    kinds = {
        c.person.family_name: c.kind
        for c in ProtectionCase.objects.filter(person__in=persons.values())
    }
    assert kinds == {"Osas": "trafficking", "Warsame": "smuggling"}


def test_open_cases_opens_a_case_for_every_person(world):
    result = services.import_register(
        actor=world.users.responder,
        content=read("registre_fr.csv"),
        file_name="registre_fr.csv",
        open_cases=True,
    )
    assert (result.persons, result.cases) == (5, 5)


# --- bad rows -----------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_row_column_field_and_reason_and_nothing_is_written(world):
    before = counts()
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_register(
            actor=world.users.responder,
            content=read("register_errors.csv"),
            file_name="register_errors.csv",
        )
    assert counts() == before
    found = {(e.row, e.column, e.field) for e in rejected.value.errors}
    assert found == {
        (3, "Date of birth", "date_of_birth"),  # 31/02/2001 does not exist
        (4, "Sex", "sex"),  # "Robot"
        (5, "Nationality", "nationality"),  # "Atlantis"
        (6, "Age max", "age_estimate_max"),  # 30 to 20: the person service's own rule
        (7, "Phone", "phone"),  # 12345 is no Nigerian number
        (9, "Date of birth", "date_of_birth"),  # two problems in one row: both reported
        (9, "Age max", "age_estimate_max"),
    }
    messages = {(e.row, e.field): e.message for e in rejected.value.errors}
    assert "31/02/2001" in messages[(3, "date_of_birth")]
    assert "Robot" in messages[(4, "sex")]
    assert "Atlantis" in messages[(5, "nationality")]
    assert "upper age estimate" in messages[(6, "age_estimate_max")]
    assert "12345" in messages[(7, "phone")] and "NG" in messages[(7, "phone")]
    assert [e.row for e in rejected.value.errors] == sorted(e.row for e in rejected.value.errors)


def test_a_check_reports_the_same_problems_and_a_clean_check_writes_nothing(world):
    before = counts()
    with pytest.raises(services.ImportRejected):
        services.import_register(
            actor=world.users.responder,
            content=read("register_errors.csv"),
            file_name="register_errors.csv",
            dry_run=True,
        )
    result = services.import_register(
        actor=world.users.responder,
        content=read("registre_fr.csv"),
        file_name="registre_fr.csv",
        dry_run=True,
    )
    assert (result.persons, result.cases, result.batch) == (5, 2, None)
    persons, cases, events, batches = counts()
    assert (persons, cases, batches) == (before[0], before[1], before[3])
    assert events == before[2] + 1  # the search for persons seen before, audited once
    assert AuditEvent.objects.last().action == AuditEvent.Action.SEARCH


def test_a_check_names_the_rows_that_may_be_persons_already_known(world):
    known = PersonFactory(
        owner_agency=world.police,
        given_name="Blessing",
        family_name="Okafor",
        date_of_birth=date(1998, 5, 12),
        nationality="NG",
        phone="+234 802 123 4567",
    )
    result = services.import_register(
        actor=world.users.responder,
        content=read("registre_fr.csv"),
        file_name="registre_fr.csv",
        dry_run=True,
    )
    assert [(row, [like.person for like in alikes]) for row, alikes in result.seen_before] == [
        (3, [known])
    ]
    assert result.seen_before_checked == 5
    search = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).last()
    assert search.details == {"looked_for": ["seen_before"], "asked": 5, "found": 1}


def test_a_mapping_naming_an_unknown_field_or_column_is_rejected(world):
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_register(
            actor=world.users.responder,
            content=read("registre_fr.csv"),
            file_name="registre_fr.csv",
            mapping={"Nom": "surname", "Prénom": "given_name", "Pays": "nationality"},
        )
    assert {(e.column, e.field) for e in rejected.value.errors} == {
        ("Nom", "surname"),
        ("Pays", "nationality"),
    }
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"Nom;Prenom\n", "header-only.csv", "no data rows"),
        (b"Nom;;Prenom\nA;B;C\n", "no-header.csv", "Column 2 has no header"),
        (b"%PDF-1.4", "scan.pdf", "CSV or an Excel"),
        (b"PK\x03\x04broken", "broken.xlsx", "cannot be read"),
    ],
)
def test_an_unreadable_file_is_rejected_with_a_clear_reason(world, content, name, message):
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_register(actor=world.users.responder, content=content, file_name=name)
    assert message in rejected.value.errors[0].message


# --- the same file twice ------------------------------------------------------------------


def test_the_same_file_twice_creates_nothing_new(world):
    first = services.import_register(
        actor=world.users.responder, content=read("registre_fr.csv"), file_name="registre_fr.csv"
    )
    before = counts()
    with pytest.raises(services.AlreadyImported) as again:
        services.import_register(
            actor=world.users.colleague, content=read("registre_fr.csv"), file_name="copie.csv"
        )
    assert counts() == before
    assert again.value.batch == first.batch
    assert "already imported on" in str(again.value)


def test_another_agency_may_import_the_same_file_into_its_own_records(world):
    services.import_register(
        actor=world.users.responder, content=read("registre_fr.csv"), file_name="registre_fr.csv"
    )
    result = services.import_register(
        actor=world.users.coordinator, content=read("registre_fr.csv"), file_name="registre_fr.csv"
    )
    assert result.persons == 5
    assert Person.objects.filter(owner_agency=world.nrm).count() == 5


# --- who may import -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["provider", "prosecutor", "analyst", "admin"])
def test_only_roles_that_register_persons_may_import(world, who):
    with pytest.raises(PermissionDenied):
        services.import_register(
            actor=getattr(world.users, who),
            content=read("registre_fr.csv"),
            file_name="registre_fr.csv",
        )
    assert Person.objects.count() == 1


# --- saved mappings -----------------------------------------------------------------------


def test_a_saved_mapping_is_used_for_the_next_file_of_the_agency(world):
    content = b"Surname of person,Names,Country\nOsei,Abena,GH\n"
    services.save_mapping(
        actor=world.users.responder,
        name="District register",
        columns={"Surname of person": "family_name", "Names": "given_name"},
    )
    result = services.import_register(
        actor=world.users.colleague, content=content, file_name="district.csv"
    )
    assert result.mapping == {
        "Surname of person": "family_name",
        "Names": "given_name",
        "Country": "nationality",  # not in the saved mapping, but a known header
    }
    person = Person.objects.get(reference=result.batch.created[0]["person"])
    assert (person.given_name, person.family_name, person.nationality) == ("Abena", "Osei", "GH")
    assert ImportMapping.objects.get().agency == world.police
    # another agency's mappings are its own
    assert services.suggest_mapping(world.nrm.pk, ["Surname of person", "Names"]) == {}


# --- the command --------------------------------------------------------------------------


def test_the_command_imports_with_a_mapping_file_and_shows_progress(world, tmp_path, settings):
    settings.CORRIDOR_IMPORT_BATCH_ROWS = 2  # progress is shown after each step written
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"Nom": "family_name", "Prénom": "given_name", "Âge": "age"}')
    out, err = StringIO(), StringIO()
    call_command(
        "import_register",
        str(DATA / "registre_fr.csv"),
        "--agency",
        str(world.police.pk),
        "--as",
        "responder",
        "--mapping",
        str(mapping),
        "--save-mapping",
        "Registre de la gare",
        stdout=out,
        stderr=err,
    )
    assert "\r  2 of 5 rows written" in err.getvalue()
    assert "\r  5 of 5 rows written" in err.getvalue()
    assert "5 persons and 0 cases from 5 rows" in out.getvalue()
    assert Person.objects.filter(owner_agency=world.police).count() == 6
    aminata = Person.objects.get(reference=ImportBatch.objects.get().created[0]["person"])
    assert (aminata.family_name, aminata.nationality) == ("TRAORÉ", "")  # only what was mapped
    assert ImportMapping.objects.get(name="Registre de la gare").columns["Âge"] == "age"


def test_the_command_lists_every_problem_and_imports_nothing(world):
    err = StringIO()
    with pytest.raises(CommandError, match="7 problem"):
        call_command(
            "import_register",
            str(DATA / "register_errors.csv"),
            "--agency",
            str(world.police.pk),
            "--as",
            "responder",
            stdout=StringIO(),
            stderr=err,
        )
    assert "row 5 column “Nationality” (nationality): Unknown country “Atlantis”" in err.getvalue()
    assert Person.objects.count() == 1


def test_the_command_imports_only_into_the_users_own_agency(world):
    with pytest.raises(CommandError, match="own agency"):
        call_command(
            "import_register",
            str(DATA / "registre_fr.csv"),
            "--agency",
            str(world.shelter.pk),
            "--as",
            "responder",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    with pytest.raises(CommandError, match="role does not register"):
        call_command(
            "import_register",
            str(DATA / "registre_fr.csv"),
            "--agency",
            str(world.shelter.pk),
            "--as",
            "provider",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert Person.objects.count() == 1


def test_the_command_refuses_the_same_file_twice(world):
    args = [str(DATA / "registre_fr.csv"), "--agency", str(world.police.pk), "--as", "responder"]
    call_command("import_register", *args, stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="already imported on"):
        call_command("import_register", *args, stdout=StringIO(), stderr=StringIO())
    assert Person.objects.count() == 6


def test_a_row_repeated_in_the_same_register_is_reported_and_nothing_is_written(world):
    content = (
        "Nom;Prénom;Nationalité\n"
        "DIALLO;Awa;SN\n"
        "KEITA;Fanta;ML\n"
        "Diallo ; awa;SN\n"  # the same person again, typed a little differently
    ).encode()
    before = counts()
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_register(
            actor=world.users.responder, content=content, file_name="registre.csv"
        )
    assert [(e.row, e.message) for e in rejected.value.errors] == [
        (4, "This row repeats row 2: remove one of them.")
    ]
    assert counts() == before


def test_an_excel_file_that_unpacks_to_far_more_than_a_register_is_refused_at_once(world):
    import io
    import zipfile

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (20 * 1024 * 1024))
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_register(
            actor=world.users.responder, content=packed.getvalue(), file_name="bomb.xlsx"
        )
    assert "far more than a register" in rejected.value.errors[0].message


def test_a_register_longer_than_the_limit_is_refused_with_the_reason(world, monkeypatch):
    from corridor.intake import importers

    monkeypatch.setattr(importers, "MAX_ROWS", 3)
    content = ("Nom;Prénom\n" + "".join(f"N{i};P{i}\n" for i in range(5))).encode()
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_register(actor=world.users.responder, content=content, file_name="long.csv")
    assert "more than 3 rows" in rejected.value.errors[0].message
