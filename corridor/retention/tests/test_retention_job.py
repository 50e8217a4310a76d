"""The daily retention job erases the persons past their period, and only them: a person
screened 400 days ago and never identified, a victim whose last case closed six years ago.
What was erased is gone from the database itself; what stays for the statistics is codes and
dates; each erasure is one audit event that names it without its content; a legal hold keeps
everything; a second run erases nothing more."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from corridor.audit.models import AuditEvent
from corridor.audit.services import verify_chain
from corridor.cases.models import ProtectionCase
from corridor.core.testing import NOW
from corridor.jobs.models import Job
from corridor.jobs.registry import PERIODIC
from corridor.jobs.services import start_job
from corridor.jobs.worker import run_jobs
from corridor.people.models import Person
from corridor.retention import services
from corridor.retention.models import Erasure
from corridor.retention.rules import RULES
from corridor.retention.tasks import apply_retention_rules
from corridor.screening.models import Screening
from corridor.screening.rules import Result

from .conftest import MARK, closed_case, person

pytestmark = pytest.mark.time_machine(NOW)

DUE = {"unidentified", "not_a_victim", "closed"}
KEPT = {"recent", "rescreened", "closed_lately", "still_open"}

# Every column that holds free text about a victim.
FREE_TEXT = [
    ("people_person", "given_name"),
    ("people_person", "family_name"),
    ("people_person", "aliases"),
    ("people_person", "phone"),
    ("people_person", "email"),
    ("people_person", "address"),
    ("people_person", "document_number"),
    ("people_person", "narrative"),
    ("screening_screening", "location"),
    ("screening_screening", "notes"),
    ("screening_ageassessment", "notes"),
    ("cases_caseevent", "note"),
    ("cases_reflectionextension", "reason"),
    ("cases_needsassessment", "notes"),
    ("cases_casereview", "topic"),
    ("cases_casereview", "outcome"),
    ("cases_compelledoffence", "offence"),
    ("cases_compelledoffence", "notes"),
    ("cases_consent", "revocation_reason"),
    ("referrals_referral", "note"),
    ("referrals_servicedelivery", "notes"),
    ("accounts_breakglassgrant", "reason"),
]


def raw_values(table: str, column: str, person_id: int) -> list[str]:
    """The stored values (ciphertexts) of `column` for one person, straight from SQL."""
    if table == "people_person":
        where = "id = %s"
    elif table in {"screening_screening", "screening_ageassessment", "cases_consent"}:
        where = "person_id = %s"
    elif table == "accounts_breakglassgrant":
        where = "person_id = %s"
    elif table == "referrals_servicedelivery":
        where = (
            "referral_id IN (SELECT r.id FROM referrals_referral r JOIN cases_protectioncase c "
            "ON c.id = r.case_id WHERE c.person_id = %s)"
        )
    else:
        where = "case_id IN (SELECT id FROM cases_protectioncase WHERE person_id = %s)"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {where}", [person_id])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def erased_refs() -> set[str]:
    return set(Erasure.objects.values_list("person__reference", flat=True))


def test_the_daily_job_erases_only_what_is_past_retention(records):
    assert "corridor.retention.tasks.apply_retention_rules" in PERIODIC
    assert PERIODIC["corridor.retention.tasks.apply_retention_rules"].interval.days == 1

    run_jobs()  # the worker's housekeeping queues every periodic job that is due, then runs it

    job = Job.objects.get(task_name="corridor.retention.tasks.apply_retention_rules")
    assert job.status == Job.Status.SUCCEEDED
    outcome = json.loads(job.outcome)
    assert outcome["erased"] == {"unidentified": 2, "closed_case": 1}
    assert outcome["kept_under_legal_hold"] == {"unidentified": 0, "closed_case": 0}
    assert job.progress_done == job.progress_total == 3
    assert erased_refs() == {records[name].reference for name in DUE}
    rules = dict(Erasure.objects.values_list("person__reference", "rule"))
    assert rules[records["unidentified"].reference] == "unidentified"
    assert rules[records["not_a_victim"].reference] == "unidentified"
    assert rules[records["closed"].reference] == "closed_case"
    for name in KEPT:
        kept = Person.objects.get(pk=records[name].pk)
        assert kept.given_name and MARK in kept.narrative, name


def test_erased_content_is_really_gone_from_the_database(records):
    closed = records["closed"]
    before = raw_values("cases_caseevent", "note", closed.pk)
    assert before and all(value for value in before)  # there was something, encrypted

    services.apply_retention()

    for name in DUE:
        for table, column in FREE_TEXT:
            values = raw_values(table, column, records[name].pk)
            assert all(value == "" for value in values), (name, table, column, values)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT date_of_birth, languages, document_type FROM people_person WHERE id = %s",
            [closed.pk],
        )
        assert cursor.fetchone() == (None, "", "")
        cursor.execute(
            "SELECT answers, explanation FROM screening_screening WHERE person_id = %s",
            [records["unidentified"].pk],
        )
        assert [tuple(json.loads(v) for v in row) for row in cursor.fetchall()] == [({}, {})]
    # the kept persons keep every word
    for table, column in FREE_TEXT:
        assert all(raw_values(table, column, records["closed_lately"].pk)), (table, column)


def test_what_stays_is_anonymised_codes_and_dates_for_the_statistics(records):
    closed, case = records["closed"], records["old_case"]
    born = closed.date_of_birth
    services.apply_retention()

    stored = Person.objects.get(pk=closed.pk)
    assert stored.reference == closed.reference and stored.owner_agency_id == closed.owner_agency_id
    assert (stored.sex, stored.nationality) == (closed.sex, closed.nationality)
    age = (
        stored.created_at.year
        - born.year
        - ((stored.created_at.month, stored.created_at.day) < (born.month, born.day))
    )
    assert stored.age_estimate_min == stored.age_estimate_max == age  # her age, not her birthday
    assert stored.display_name == stored.reference and stored.version == closed.version + 1
    case = ProtectionCase.objects.get(pk=case.pk)
    assert (case.status, case.closure_reason, case.forms_of_exploitation) == (
        "closed",
        "assisted_reintegrated",
        ["sexual"],
    )
    assert case.events.get().to_value == "closed" and case.referrals.get().status == "completed"
    screened = Screening.objects.get(person=records["unidentified"])
    assert screened.result == Result.NO_INDICATORS and screened.htcds


def test_each_erasure_is_one_audit_event_that_names_it_without_its_content(records):
    names = {records[n].given_name for n in DUE} | {records[n].family_name for n in DUE}
    services.apply_retention()

    events = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_type="person")
    assert {e.object_ref for e in events} == {records[name].reference for name in DUE}
    event = events.get(object_ref=records["closed"].reference)
    assert event.details["erasure"] == "closed_case"
    assert (event.details["period"], event.details["unit"]) == (5, "years")
    assert event.details["cases"] == [records["old_case"].reference]
    assert "narrative" in event.details["person_fields"]
    assert event.details["records"]["case_event"] == 1
    assert "screening" not in event.details["records"]  # she was never screened
    assert event.reason == "" and event.actor_id is None
    for event in events:
        text = json.dumps(event.details, ensure_ascii=False)
        assert MARK not in text and not any(n in text for n in names), text
        assert "+2348031234567" not in text
    assert verify_chain().ok


def test_running_twice_erases_nothing_more(records):
    first = services.apply_retention()
    assert first.erased == 3
    events, erasures = AuditEvent.objects.count(), Erasure.objects.count()
    again = services.apply_retention()
    assert again.due == again.erased == 0
    assert (AuditEvent.objects.count(), Erasure.objects.count()) == (events, erasures)


def test_a_legal_hold_keeps_everything_until_it_is_lifted(records, world):
    from corridor.retention.services import lift_legal_hold, place_legal_hold

    closed = records["closed"]
    hold = place_legal_hold(
        closed, actor=world.users.coordinator, reason="Compensation claim before the court"
    )
    report = services.apply_retention()
    assert closed.reference not in erased_refs()
    by_rule = {item.rule.code: item for item in report.rules}
    assert (by_rule["closed_case"].erased, by_rule["closed_case"].held) == (0, 1)
    assert MARK in Person.objects.get(pk=closed.pk).narrative

    lift_legal_hold(hold, actor=world.users.coordinator, reason="The court decided the claim")
    assert services.apply_retention().erased == 1
    assert closed.reference in erased_refs()


def test_an_open_non_punishment_decision_or_referral_keeps_the_records(records, world):
    from corridor.cases.models import CompelledOffence
    from corridor.referrals.models import Referral

    old = person(world, days_ago=3000)
    case = closed_case(world, old, closed_days_ago=7 * 365)
    CompelledOffence.objects.filter(case=case).update(decision=CompelledOffence.Decision.PENDING)
    other = person(world, days_ago=3000)
    other_case = closed_case(world, other, closed_days_ago=7 * 365)
    Referral.objects.filter(case=other_case).update(status=Referral.Status.IN_PROGRESS)
    services.apply_retention()
    assert not {old.reference, other.reference} & erased_refs()


def test_a_period_of_zero_switches_its_rule_off(records, settings):
    settings.CORRIDOR_RETAIN_CLOSED_CASE_YEARS = 0
    report = services.apply_retention()
    assert {item.rule.code: item.erased for item in report.rules} == {
        "unidentified": 2,
        "closed_case": 0,
    }
    assert next(r for r in RULES if r.code == "closed_case").period_display().startswith("never")


def test_the_periods_come_from_the_settings(records, settings):
    settings.CORRIDOR_RETAIN_UNIDENTIFIED_SCREENING_DAYS = 30  # the recent one is due too
    settings.CORRIDOR_RETAIN_CLOSED_CASE_YEARS = 1  # and the one closed two years ago
    services.apply_retention()
    assert erased_refs() == {records[name].reference for name in DUE | {"recent", "closed_lately"}}


def test_a_large_run_reports_its_progress_chunk_by_chunk(world, catalogues):
    from .conftest import screen

    for _ in range(5):
        screen(world, catalogues, person(world, days_ago=400), days_ago=400)
    seen = []
    report = services.apply_retention(
        progress=lambda done, total: seen.append((done, total)), chunk=2
    )
    assert report.erased == 5
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert (2, 5) in seen and (4, 5) in seen


def test_the_job_started_by_hand_shows_its_progress(records):
    job = start_job(apply_retention_rules)
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and (job.progress_done, job.progress_total) == (3, 3)


# --- the command -----------------------------------------------------------------------------


def test_the_dry_run_counts_per_rule_and_erases_nothing(records):
    events = AuditEvent.objects.count()
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out, verbosity=2)
    text = out.getvalue()
    assert "unidentified:" in text and "2 to erase" in text
    assert "closed_case:" in text and "1 to erase" in text
    assert records["closed"].reference in text and records["recent"].reference not in text
    assert "Dry run: 3 persons would be erased; nothing was." in text
    assert not Erasure.objects.exists() and AuditEvent.objects.count() == events


def test_the_command_erases_with_progress_on_the_terminal(records):
    out, err = StringIO(), StringIO()
    call_command("retention", stdout=out, stderr=err)
    assert "erased 3/3 persons" in err.getvalue()
    assert "Erased the records of 3 persons" in out.getvalue()
    assert erased_refs() == {records[name].reference for name in DUE}
    out = StringIO()
    call_command("retention", stdout=out)
    assert "Nothing is past its retention period." in out.getvalue()
