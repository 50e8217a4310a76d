"""Importing paper registers and phone-form submissions: all or nothing, never twice.

Every import goes through the owning apps' services (`register_person`, `open_case`, the
screening service), so each record created is validated and audited exactly as if it had
been typed in. An import either creates everything or nothing: the rows are checked inside
one transaction and, if any row is rejected, it is rolled back and every rejected row is
reported with its spreadsheet row number, the file's column, the Corridor field and why.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from corridor.accounts import access
from corridor.audit.services import Action, record_event
from corridor.cases.models import ProtectionCase
from corridor.cases.services import open_case
from corridor.intake.importers import (
    TARGETS_BY_NAME,
    FileError,
    RowError,
    auto_mapping,
    parse_register_row,
    read_submissions,
    read_table,
    submissions_from_json,
)
from corridor.intake.models import ImportBatch, ImportMapping, StagedUpload, SubmissionReceipt
from corridor.intake.submissions import CatalogueCache, parse_submission
from corridor.people.services import register_person
from corridor.screening.services import screen_person

MAX_FILE_BYTES = 20 * 1024 * 1024
STAGED_UPLOAD_HOURS = 24
PROGRESS_EVERY = 100

Progress = Callable[[int, int], None]


class ImportRejected(Exception):
    """Nothing was written: `errors` lists every rejected row, field and reason."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: (e.row or 0, e.column, e.field))
        count = len(self.errors)
        super().__init__(
            ngettext(
                "{count} problem found; nothing was imported.",
                "{count} problems found; nothing was imported.",
                count,
            ).format(count=count)
        )


class AlreadyImported(Exception):
    """This very file (same SHA-256) was imported before into the same agency."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        super().__init__(
            _(
                "This file was already imported on {date} ({file}); nothing new was imported."
            ).format(
                date=date_format(timezone.localtime(batch.created_at), "DATETIME_FORMAT"),
                file=batch.file_name,
            )
        )


@dataclass
class ImportResult:
    rows: int
    persons: int = 0
    cases: int = 0
    screenings: int = 0
    already_imported: int = 0
    batch: ImportBatch | None = None  # None for a check (dry run) or when nothing was new
    mapping: dict[str, str] = field(default_factory=dict)


class _DryRun(Exception):
    def __init__(self, result: ImportResult):
        self.result = result


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def can_import(user) -> bool:
    """Importing creates person records: the roles that register persons, in their agency."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.agency_id
        and user.has_role(*access.OWNER_ROLES)
    )


def can_download_form(user) -> bool:
    """The screening form holds no personal data: screeners and administrators may get it."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and ((user.agency_id and user.has_role(*access.OWNER_ROLES)) or access.can_administer(user))
    )


def _check_importer(actor) -> None:
    if not can_import(actor):
        raise PermissionDenied(_("Your role does not import records."))


def _refuse_twice(agency_id: int, digest: str) -> None:
    earlier = ImportBatch.objects.filter(
        agency_id=agency_id, kind=ImportBatch.Kind.REGISTER, sha256=digest
    ).first()
    if earlier is not None:
        raise AlreadyImported(earlier)


# --- column mappings ----------------------------------------------------------------------


def check_mapping(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """The mapping without ignored columns; every problem in it is reported at once."""
    errors: list[RowError] = []
    clean: dict[str, str] = {}
    seen: dict[str, str] = {}
    for column, target in mapping.items():
        if not target:
            continue  # column ignored
        if column not in headers:
            errors.append(
                RowError(
                    1, column, target, _("The file has no column “{column}”.").format(column=column)
                )
            )
            continue
        if target not in TARGETS_BY_NAME:
            errors.append(
                RowError(
                    1, column, target, _("Unknown Corridor field “{name}”.").format(name=target)
                )
            )
            continue
        if target in seen:
            errors.append(
                RowError(
                    1,
                    column,
                    target,
                    _("“{column}” and “{other}” are both mapped to this field.").format(
                        column=column, other=seen[target]
                    ),
                )
            )
            continue
        seen[target] = column
        clean[column] = target
    if "age" in seen and {"age_estimate_min", "age_estimate_max"} & set(seen):
        errors.append(
            RowError(
                1,
                seen["age"],
                "age",
                _("Map either one age column or the two estimate columns, not both."),
            )
        )
    if not clean and not errors:
        errors.append(RowError(1, "", "", _("Map at least one column to a Corridor field.")))
    if errors:
        raise ImportRejected(errors)
    return clean


def suggest_mapping(agency_id: int, headers: list[str]) -> dict[str, str]:
    """The agency's saved mapping that fits the headers best, completed by known names."""
    best: dict[str, str] = {}
    for saved in ImportMapping.objects.filter(agency_id=agency_id):
        fitting = {c: t for c, t in saved.columns.items() if c in headers and t in TARGETS_BY_NAME}
        if len(fitting) > len(best):
            best = fitting
    taken = set(best.values())
    for column, target in auto_mapping(h for h in headers if h not in best).items():
        if target not in taken:
            best[column] = target
            taken.add(target)
    return {h: best[h] for h in headers if h in best}


def save_mapping(
    *, actor, name: str, columns: dict[str, str], request: HttpRequest | None = None
) -> ImportMapping:
    """Save (or replace) a named mapping for the actor's agency."""
    _check_importer(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the mapping a name.")})
    columns = {c: t for c, t in columns.items() if t}
    unknown = sorted(t for t in columns.values() if t not in TARGETS_BY_NAME)
    if unknown:
        raise ValidationError(
            {"columns": _("Unknown Corridor field: {names}.").format(names=", ".join(unknown))}
        )
    with transaction.atomic():
        mapping, created = ImportMapping.objects.update_or_create(
            agency_id=actor.agency_id,
            name=name[:100],
            defaults={"columns": columns, "created_by": actor, "updated_at": timezone.now()},
        )
        record_event(
            Action.CREATE if created else Action.CHANGE,
            actor=actor,
            obj=mapping,
            request=request,
            details={"name": mapping.name, "columns": columns},
        )
    return mapping


# --- staged uploads (the web page's mapping step) -----------------------------------------


def stage_upload(*, actor, file_name: str, content: bytes) -> tuple[StagedUpload, list[str]]:
    """Keep an uploaded register (encrypted) until its mapping is chosen; return its headers."""
    _check_importer(actor)
    if len(content) > MAX_FILE_BYTES:
        raise ImportRejected([RowError(None, "", "", _("The file is larger than 20 MB."))])
    digest = sha256(content)
    _refuse_twice(actor.agency_id, digest)
    try:
        table = read_table(content, file_name)
    except FileError as exc:
        raise ImportRejected([RowError(None, "", "", str(exc))]) from exc
    StagedUpload.objects.filter(
        created_at__lt=timezone.now() - timedelta(hours=STAGED_UPLOAD_HOURS)
    ).delete()
    staged = StagedUpload.objects.create(
        agency_id=actor.agency_id,
        uploaded_by=actor,
        file_name=file_name[:255],
        content_b64=base64.b64encode(content).decode("ascii"),
        sha256=digest,
    )
    return staged, table.headers


def get_staged_for_user(user, token) -> StagedUpload:
    """Only the person who uploaded a file can map and import it."""
    staged = StagedUpload.objects.filter(
        token=token,
        uploaded_by_id=getattr(user, "pk", None),
        agency_id=getattr(user, "agency_id", None),
        created_at__gte=timezone.now() - timedelta(hours=STAGED_UPLOAD_HOURS),
    ).first()
    if staged is None or not can_import(user):
        raise Http404("No such upload.")
    return staged


def batches_visible_to(user):
    if not can_import(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(agency_id=user.agency_id)


def get_batch_for_user(user, pk: int) -> ImportBatch:
    batch = batches_visible_to(user).select_related("created_by").filter(pk=pk).first()
    if batch is None:
        raise Http404("No such import.")
    return batch


# --- paper registers ----------------------------------------------------------------------


def _service_errors(row, exc: ValidationError) -> list[RowError]:
    messages = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    reported = {e.field for e in row.errors}
    errors = []
    for name, texts in messages.items():
        name = "" if name == NON_FIELD_ERRORS else name
        if name in reported:
            continue  # the cell's own, clearer message is already there
        for text in texts:
            errors.append(RowError(row.number, row.columns.get(name, ""), name, text))
    return errors


def import_register(
    *,
    actor,
    content: bytes,
    file_name: str,
    mapping: dict[str, str] | None = None,
    open_cases: bool = False,
    dry_run: bool = False,
    request: HttpRequest | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Create one person (and, where the row says so, a case) per row, or nothing at all.

    `mapping` maps the file's column headers to Corridor fields (see `importers.TARGETS`);
    without it the agency's saved mappings and the known header names are used. With
    `dry_run` every row is checked exactly as for the import and nothing is kept.
    Raises ImportRejected (every bad row) or AlreadyImported (same file, same agency).
    """
    _check_importer(actor)
    if len(content) > MAX_FILE_BYTES:
        raise ImportRejected([RowError(None, "", "", _("The file is larger than 20 MB."))])
    digest = sha256(content)
    _refuse_twice(actor.agency_id, digest)
    try:
        table = read_table(content, file_name)
    except FileError as exc:
        raise ImportRejected([RowError(None, "", "", str(exc))]) from exc
    if mapping is None:
        mapping = suggest_mapping(actor.agency_id, table.headers)
    mapping = check_mapping(table.headers, mapping)
    region = actor.agency.country
    total = len(table.rows)
    rows = [
        parse_register_row(number, cells, mapping, default_region=region, open_case=open_cases)
        for number, cells in table.rows
    ]
    errors = [error for row in rows for error in row.errors] + _repeated_rows(table, mapping)
    result = ImportResult(rows=total, mapping=mapping)
    created: list[dict] = []
    try:
        with transaction.atomic():
            for done, row in enumerate(rows, start=1):
                _import_row(row, actor=actor, request=request, errors=errors, created=created)
                if progress and (done % PROGRESS_EVERY == 0 or done == total):
                    progress(done, total)
            if errors:
                raise ImportRejected(errors)
            result.persons = len(created)
            result.cases = sum(1 for c in created if c["case"])
            if dry_run:
                raise _DryRun(result)
            result.batch = _record_batch(
                actor=actor,
                request=request,
                kind=ImportBatch.Kind.REGISTER,
                file_name=file_name,
                digest=digest,
                result=result,
                created=created,
            )
    except _DryRun as dry:
        return dry.result
    return result


def _repeated_rows(table, mapping: dict[str, str]) -> list[RowError]:
    """A row that repeats an earlier one, in every mapped column, would register the same
    person twice: it is reported, naming both rows."""
    seen: dict[tuple, int] = {}
    errors = []
    columns = sorted(mapping)
    for number, cells in table.rows:
        key = tuple(" ".join((cells.get(c) or "").split()).casefold() for c in columns)
        if not any(key):
            continue
        if key in seen:
            errors.append(
                RowError(
                    number,
                    "",
                    "",
                    _("This row repeats row {row}: remove one of them.").format(row=seen[key]),
                )
            )
        else:
            seen[key] = number
    return errors


def _import_row(row, *, actor, request, errors: list[RowError], created: list[dict]) -> None:
    try:
        person = register_person(actor=actor, request=request, **row.person)
    except ValidationError as exc:
        errors.extend(_service_errors(row, exc))
        return
    case = None
    if row.case is not None:
        try:
            case = open_case(person, actor=actor, request=request, **row.case)
        except ValidationError as exc:
            errors.extend(_service_errors(row, exc))
            return
    if not row.errors:
        created.append(
            {"row": row.number, "person": person.reference, "case": case and case.reference}
        )


def _record_batch(
    *, actor, request, kind: str, file_name: str, digest: str, result: ImportResult, created
) -> ImportBatch:
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                agency_id=actor.agency_id,
                kind=kind,
                file_name=file_name[:255],
                sha256=digest,
                rows=result.rows,
                persons_created=result.persons,
                cases_created=result.cases,
                screenings_created=result.screenings,
                already_imported=result.already_imported,
                created=created,
                created_by=actor,
            )
    except IntegrityError:  # the same file, imported by someone else a moment ago
        _refuse_twice(actor.agency_id, digest)
        raise
    record_event(
        Action.CREATE,
        actor=actor,
        obj=batch,
        request=request,
        details={
            "kind": kind,
            "file": batch.file_name,
            "sha256": digest,
            "rows": result.rows,
            "persons": result.persons,
            "cases": result.cases,
            "screenings": result.screenings,
            "already_imported": result.already_imported,
        },
    )
    return batch


# --- phone-form submissions ---------------------------------------------------------------


def import_submissions_file(
    *, actor, content: bytes, file_name: str, request: HttpRequest | None = None, progress=None
) -> ImportResult:
    """Import an ODK Central (CSV) or KoBoToolbox (JSON, CSV, XLSX) export of submissions."""
    _check_importer(actor)
    if len(content) > MAX_FILE_BYTES:
        raise ImportRejected([RowError(None, "", "", _("The file is larger than 20 MB."))])
    try:
        rows = read_submissions(content, file_name)
    except FileError as exc:
        raise ImportRejected([RowError(None, "", "", str(exc))]) from exc
    return _import_submissions(
        rows,
        actor=actor,
        file_name=file_name,
        digest=sha256(content),
        request=request,
        progress=progress,
    )


def import_submissions(
    *,
    actor,
    submissions: list[dict],
    source: str = "api",
    request: HttpRequest | None = None,
    progress=None,
) -> ImportResult:
    """Import submissions given as KoBoToolbox's JSON export holds them (a list of objects)."""
    _check_importer(actor)
    try:
        rows = submissions_from_json(submissions)
    except FileError as exc:
        raise ImportRejected([RowError(None, "", "", str(exc))]) from exc
    canonical = json.dumps(submissions, sort_keys=True, ensure_ascii=False, default=str)
    return _import_submissions(
        rows,
        actor=actor,
        file_name=source,
        digest=sha256(canonical.encode("utf-8")),
        request=request,
        progress=progress,
    )


def _import_submissions(
    rows, *, actor, file_name: str, digest: str, request, progress
) -> ImportResult:
    """One screening per submission not received before; all of them or none.

    A submission names a person already registered (its Corridor reference, which must be
    one the actor may change) or describes a new person, registered first. Submissions
    received before, by instance id, are counted and skipped.
    """
    cache = CatalogueCache()
    parsed = [parse_submission(number, raw, catalogues=cache) for number, raw in rows]
    ids = [s.instance_id for s in parsed if s.instance_id]
    received = set(
        SubmissionReceipt.objects.filter(instance_id__in=ids).values_list("instance_id", flat=True)
    )
    new: list = []
    already = 0
    for submission in parsed:
        if submission.instance_id in received:
            already += 1  # received before, or twice in this file: never imported again
            continue
        if submission.instance_id:
            received.add(submission.instance_id)
        new.append(submission)
    result = ImportResult(rows=len(parsed), already_imported=already)
    errors = [e for s in new for e in s.errors]
    references = {s.reference for s in new if s.reference}
    persons = {
        p.reference: p
        for p in access.persons_visible_to(actor)
        .select_related("owner_agency")
        .filter(reference__in=references)
    }
    created: list[dict] = []
    receipts: list[SubmissionReceipt] = []
    # cases that existed before: a screening that opens a new one counts it
    known_cases = set(
        ProtectionCase.objects.filter(person__in=persons.values()).values_list("pk", flat=True)
    )
    total = len(new)
    with transaction.atomic():
        for done, submission in enumerate(new, start=1):
            _import_submission(
                submission,
                actor=actor,
                request=request,
                persons=persons,
                errors=errors,
                created=created,
                receipts=receipts,
                result=result,
                known_cases=known_cases,
            )
            if progress and (done % PROGRESS_EVERY == 0 or done == total):
                progress(done, total)
        if errors:
            raise ImportRejected(errors)
        if not new:
            return result  # everything was imported before: nothing new, not even a batch
        result.screenings = len(receipts)
        batch = _record_batch(
            actor=actor,
            request=request,
            kind=ImportBatch.Kind.SUBMISSIONS,
            file_name=file_name,
            digest=digest,
            result=result,
            created=created,
        )
        for receipt in receipts:
            receipt.batch = batch
        try:
            with transaction.atomic():
                SubmissionReceipt.objects.bulk_create(receipts)
        except IntegrityError:
            raise ImportRejected(
                [
                    RowError(
                        None,
                        "",
                        "instance_id",
                        _("Someone imported some of these submissions meanwhile: import again."),
                    )
                ]
            ) from None
        result.batch = batch
    return result


def _import_submission(
    submission, *, actor, request, persons, errors, created, receipts, result, known_cases
) -> None:
    if submission.reference:
        person = persons.get(submission.reference)
        if person is None:
            errors.append(
                RowError(
                    submission.number,
                    submission.columns.get("reference", "person/reference"),
                    "reference",
                    _("No person {reference} in the records you may see.").format(
                        reference=submission.reference
                    ),
                )
            )
            return
    else:
        try:
            person = register_person(actor=actor, request=request, **submission.person)
        except ValidationError as exc:
            errors.extend(_service_errors(submission, exc))
            return
        result.persons += 1
    if submission.catalogue is None:
        return  # already reported
    try:
        screening = screen_person(
            person,
            actor=actor,
            catalogue=submission.catalogue,
            answers=submission.answers,
            smuggling=submission.smuggling,
            location=submission.location,
            notes=submission.notes,
            screened_at=submission.submitted_at,
            request=request,
        )
    except (ValidationError, PermissionDenied) as exc:
        if isinstance(exc, PermissionDenied):
            exc = ValidationError({"reference": str(exc)})
        errors.extend(_service_errors(submission, exc))
        return
    if screening.case_id and screening.case_id not in known_cases:
        known_cases.add(screening.case_id)
        result.cases += 1
    created.append(
        {
            "row": submission.number,
            "person": person.reference,
            "case": screening.case.reference if screening.case_id else None,
            "screening": screening.reference,
        }
    )
    receipts.append(
        SubmissionReceipt(
            instance_id=submission.instance_id,
            person=person,
            screening=screening,
            submitted_at=submission.submitted_at,
        )
    )
