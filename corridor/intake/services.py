"""Importing paper registers and phone-form submissions: all or nothing, never twice.

Every import goes through the owning apps' services (`register_person`, `open_case`, the
screening service), so each record created is validated and audited exactly as if it had
been typed in. An import either creates everything or nothing: every row is checked before
anything is written and, if any row is rejected, nothing is written and every rejected row
is reported with its spreadsheet row number, the file's column, the Corridor field and why.
A register is then written in short steps (see `import_register`), so a long one never
keeps others waiting; one that fails half-way is undone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from corridor.accounts import access
from corridor.audit.services import Action, record_event
from corridor.cases.models import CaseEvent, ProtectionCase
from corridor.cases.services import open_case
from corridor.core.text import visible_text
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
from corridor.jobs.models import Job
from corridor.people.models import Person
from corridor.people.services import _validated as validate_person  # register_person's checks
from corridor.people.services import audit_look_alikes, look_alikes, register_person
from corridor.screening.services import screen_person

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
STAGED_UPLOAD_HOURS = 24
PROGRESS_EVERY = 100
SEEN_BEFORE_ROWS = 200  # a check looks for persons already known among the first rows

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
        if batch.status == ImportBatch.Status.IMPORTING:
            message = _(
                "This file is being imported since {date} ({file}); nothing new was imported."
            )
        else:
            message = _(
                "This file was already imported on {date} ({file}); nothing new was imported."
            )
        super().__init__(
            message.format(
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
    # A check's rows that may be persons already known here ("seen before?"): (row, alikes)
    seen_before: list[tuple[int, list]] = field(default_factory=list)
    seen_before_checked: int = 0


class _DryRun(Exception):
    def __init__(self, result: ImportResult):
        self.result = result


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def file_label(name: str) -> str:
    """A file's name as kept and shown: no control or direction characters (which could
    disguise it, and which a database may refuse), at most 255 characters."""
    name = visible_text(str(name).encode("utf-8", "replace").decode("utf-8"))
    return name[:255] or "register"


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


def _refuse_twice(agency_id: int, digest: str, *, job=None) -> ImportBatch | None:
    """Refuse a register imported (or being imported) before; a failed import was undone
    and does not count. The import `job` started and was interrupted is returned, to resume."""
    earlier = ImportBatch.objects.filter(
        agency_id=agency_id,
        kind=ImportBatch.Kind.REGISTER,
        sha256=digest,
        status__in=ImportBatch.COUNTED,
    ).first()
    if earlier is None:
        return None
    if (
        earlier.status == ImportBatch.Status.IMPORTING
        and job is not None
        and earlier.job_id == job.pk
    ):
        return earlier
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
        file_name=file_label(file_name),
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
    job=None,
) -> ImportResult:
    """Create one person (and, where the row says so, a case) per row, or nothing at all.

    `mapping` maps the file's column headers to Corridor fields (see `importers.TARGETS`);
    without it the agency's saved mappings and the known header names are used. With
    `dry_run` every row is checked exactly as for the import and nothing is kept.
    Raises ImportRejected (every bad row) or AlreadyImported (same file, same agency).

    Every row is checked first, writing nothing and holding no lock; only then are the rows
    written, `CORRIDOR_IMPORT_BATCH_ROWS` at a time, each step in a short transaction that
    also moves the batch's mark (`last_row`), so others are never kept waiting for more
    than a moment. Meanwhile the batch is "importing". A row the database refuses while
    writing (rare: it changed since the check) undoes the whole import. With `job`, the
    background job writing it, an interrupted import of that job resumes after the last row
    written; an interrupted one that nobody resumes is undone (`undo_abandoned_imports`).
    """
    _check_importer(actor)
    if len(content) > MAX_FILE_BYTES:
        raise ImportRejected([RowError(None, "", "", _("The file is larger than 20 MB."))])
    digest = sha256(content)
    resumed = _refuse_twice(actor.agency_id, digest, job=job)
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
    for done, row in enumerate(rows, start=1):
        errors.extend(_checked(row, actor=actor))
        if dry_run and progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    if errors:
        if resumed is not None:  # it passed when the import began: be safe, undo it all
            undo_import(resumed, errors=errors)
        raise ImportRejected(errors)
    result = ImportResult(
        rows=total,
        persons=total,
        cases=sum(1 for row in rows if row.case is not None),
        mapping=mapping,
    )
    if dry_run:
        for row in rows[:SEEN_BEFORE_ROWS]:
            if alikes := look_alikes(row.person, actor=actor, request=request, audit=False):
                result.seen_before.append((row.number, alikes))
        result.seen_before_checked = min(total, SEEN_BEFORE_ROWS)
        shown = [like for _number, alikes in result.seen_before for like in alikes]
        audit_look_alikes(shown, actor=actor, asked=result.seen_before_checked, request=request)
        return result
    batch = resumed or _start_batch(
        actor=actor, file_name=file_name, digest=digest, rows=total, job=job
    )
    try:
        batch = _write_rows(batch, rows, actor=actor, request=request, progress=progress)
        result.batch = _finish_batch(batch, actor=actor, request=request)
    except _WriteRefused as refused:
        undo_import(batch, errors=refused.errors)
        raise ImportRejected(refused.errors) from None
    except _Interrupted as interrupted:
        raise interrupted.reason() from None
    except BaseException:
        if job is None:  # nobody will resume it: undo it now (or the periodic sweep will)
            _undo_quietly(batch)
        raise
    return result


def _checked(row, *, actor) -> list[RowError]:
    """The row checked as `register_person` and `open_case` check it, writing nothing.

    Writing checks it again: a difference is caught there and undoes the import."""
    person = Person(owner_agency_id=actor.agency_id, created_by=actor, **row.person)
    try:
        validate_person(person)
    except ValidationError as exc:
        return _service_errors(row, exc)
    if row.case is None:
        return []
    case = ProtectionCase(person=person, owner_agency_id=actor.agency_id, **row.case)
    try:
        case.full_clean(exclude=["person", "owner_agency", "coordinator"])
    except ValidationError as exc:
        return _service_errors(row, exc)
    return []


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


# --- writing a register, a step at a time -------------------------------------------------

ABANDONED_AFTER = timedelta(minutes=10)
# A step of an import holds the database (SQLite: its one write lock) at most about this long.
STEP_SECONDS = 0.5
STEP_PAUSE_SECONDS = 0.15


class _WriteRefused(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors


class _Interrupted(Exception):
    """The batch changed under this import: another run of it moved on, or it was undone."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch

    def reason(self) -> Exception:
        if self.batch.status == ImportBatch.Status.FAILED:
            return ImportRejected(failure_of(self.batch)["errors"] or [_interrupted_error()])
        return AlreadyImported(self.batch)


def _interrupted_error() -> RowError:
    return RowError(
        None,
        "",
        "",
        _("The import was interrupted; what it had written was removed. Import the file again."),
    )


def batch_rows() -> int:
    return max(1, int(getattr(settings, "CORRIDOR_IMPORT_BATCH_ROWS", 200)))


def _start_batch(*, actor, file_name: str, digest: str, rows: int, job) -> ImportBatch:
    try:
        with transaction.atomic():
            return ImportBatch.objects.create(
                agency_id=actor.agency_id,
                kind=ImportBatch.Kind.REGISTER,
                status=ImportBatch.Status.IMPORTING,
                file_name=file_label(file_name),
                sha256=digest,
                rows=rows,
                job=job,
                created_by=actor,
            )
    except IntegrityError:  # the same file, being imported by someone else since a moment
        _refuse_twice(actor.agency_id, digest)
        raise


def _write_rows(batch: ImportBatch, rows, *, actor, request, progress) -> ImportBatch:
    """Write the rows after the batch's mark, one short transaction per step."""
    pending = [row for row in rows if row.number > batch.last_row]
    written, total = len(rows) - len(pending), len(rows)
    if progress:
        progress(written, total)
    first = True
    while pending:
        if not first:
            _let_others_write()
        first = False
        with transaction.atomic():
            batch, count = _write_step(batch, pending, actor=actor, request=request)
        pending = pending[count:]
        written += count
        if progress:
            progress(written, total)
    return batch


def _let_others_write() -> None:
    """SQLite has one write lock, and a writer waiting for it only looks again every 100 ms
    or so: without a pause between steps, a long import would keep getting it first."""
    if connection.vendor == "sqlite":
        time.sleep(STEP_PAUSE_SECONDS)


def _write_step(batch: ImportBatch, pending, *, actor, request) -> tuple[ImportBatch, int]:
    """One step, inside the caller's transaction: the first of the `pending` rows, as many as
    fit in `batch_rows()` and `STEP_SECONDS`, and the batch's mark, committed together."""
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != ImportBatch.Status.IMPORTING or locked.last_row != batch.last_row:
        raise _Interrupted(locked)
    began, created = time.monotonic(), []
    for row in pending[: batch_rows()]:
        created.append(_write_row(row, actor=actor, request=request))
        if time.monotonic() - began >= STEP_SECONDS:
            break
    locked.created = [*locked.created, *created]
    locked.persons_created += len(created)
    locked.cases_created += sum(1 for c in created if c["case"])
    locked.last_row = created[-1]["row"]
    locked.updated_at = timezone.now()
    locked.save(
        update_fields=["created", "persons_created", "cases_created", "last_row", "updated_at"]
    )
    return locked, len(created)


def _write_row(row, *, actor, request) -> dict:
    try:
        person = register_person(actor=actor, request=request, **row.person)
        case = None
        if row.case is not None:
            case = open_case(person, actor=actor, request=request, **row.case)
    except ValidationError as exc:
        errors = _service_errors(row, exc) or [RowError(row.number, "", "", exc.messages[0])]
        raise _WriteRefused(errors) from exc
    except PermissionDenied as exc:
        raise _WriteRefused([RowError(row.number, "", "", str(exc))]) from exc
    except IntegrityError as exc:
        message = _("This row could not be written: the records changed while it was imported.")
        raise _WriteRefused([RowError(row.number, "", "", message)]) from exc
    return {"row": row.number, "person": person.reference, "case": case and case.reference}


def _finish_batch(batch: ImportBatch, *, actor, request) -> ImportBatch:
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.IMPORTING or locked.last_row != batch.last_row:
            raise _Interrupted(locked)
        locked.status = ImportBatch.Status.IMPORTED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        record_event(
            Action.CREATE,
            actor=actor,
            obj=locked,
            request=request,
            details={
                "kind": locked.kind,
                "file": locked.file_name,
                "sha256": locked.sha256,
                "rows": locked.rows,
                "persons": locked.persons_created,
                "cases": locked.cases_created,
                "screenings": 0,
                "already_imported": 0,
            },
        )
    return locked


# --- undoing an import that failed half-way -----------------------------------------------


def failure_of(batch: ImportBatch) -> dict:
    """Why a batch failed (`errors`, as RowError) and the records it could not remove."""
    try:
        data = json.loads(batch.failure) if batch.failure else {}
    except ValueError:
        data = {}
    return {
        "errors": [RowError(**e) for e in data.get("errors", [])],
        "kept": data.get("kept", []),
    }


def _failure(errors: list[RowError], kept: list[dict]) -> str:
    return json.dumps({"errors": [e.as_dict() for e in errors], "kept": kept}, ensure_ascii=False)


def undo_import(batch: ImportBatch, *, errors: list[RowError]) -> ImportBatch:
    """Mark a half-written import failed, then remove what it wrote, a step at a time.

    A record someone used meanwhile (a screening, a referral, another case) is kept and
    listed in the batch's failure. Run again after an interruption, it goes on."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportBatch.Status.IMPORTING:
            locked.status = ImportBatch.Status.FAILED
            locked.failure = _failure(errors, [])
            locked.updated_at = timezone.now()
            locked.save(update_fields=["status", "failure", "updated_at"])
    while _remove_step(batch.pk):
        _let_others_write()
    return ImportBatch.objects.get(pk=batch.pk)


def _undo_quietly(batch: ImportBatch) -> None:
    try:
        undo_import(batch, errors=[_interrupted_error()])
    except Exception:  # noqa: BLE001 - the original error matters; the sweep finishes this
        logger.exception("import %s could not be undone now; the sweep will", batch.pk)


def _remove_step(pk: int) -> bool:
    """Remove the last records a failed import wrote; False once none is left."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=pk)
        if batch.status != ImportBatch.Status.FAILED or not batch.created:
            return False
        failure = failure_of(batch)
        remaining, kept, began = list(batch.created), failure["kept"], time.monotonic()
        for _ in range(batch_rows()):
            entry = remaining.pop()
            if not _remove_entry(entry, batch=batch):
                kept.append(entry)
            if not remaining or time.monotonic() - began >= STEP_SECONDS:
                break
        batch.created = remaining
        batch.last_row = remaining[-1]["row"] if remaining else 0
        batch.persons_created = len(remaining) + len(kept)
        batch.cases_created = sum(1 for c in [*remaining, *kept] if c["case"])
        batch.failure = _failure(failure["errors"], kept)
        batch.updated_at = timezone.now()
        batch.save(
            update_fields=[
                "created",
                "last_row",
                "persons_created",
                "cases_created",
                "failure",
                "updated_at",
            ]
        )
    return True


def _remove_entry(entry: dict, *, batch: ImportBatch) -> bool:
    """Remove one row's person (and case), audited; False when it is in use and kept."""
    details = {"import": batch.pk, "file": batch.file_name, "row": entry["row"], "undone": True}
    try:
        with transaction.atomic():
            if entry.get("case"):
                case = ProtectionCase.objects.filter(reference=entry["case"]).first()
                if case is not None:
                    record_event(Action.DELETE, actor=batch.created_by, obj=case, details=details)
                    CaseEvent.objects.filter(case=case).delete()
                    case.delete()
            person = Person.objects.filter(reference=entry["person"]).first()
            if person is not None:
                record_event(Action.DELETE, actor=batch.created_by, obj=person, details=details)
                person.delete()
    except (ProtectedError, RestrictedError, IntegrityError):
        return False
    return True


def undo_abandoned_imports(*, now=None) -> int:
    """Undo the register imports nobody will finish: interrupted with no job to resume them
    (or their job failed) and not moved for `ABANDONED_AFTER`; and finish undoing the failed
    ones whose undoing was interrupted. Returns how many were undone."""
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    finished_jobs = [Job.Status.FAILED, Job.Status.SUCCEEDED]
    stale = ImportBatch.objects.filter(kind=ImportBatch.Kind.REGISTER, updated_at__lt=cutoff)
    abandoned = stale.filter(
        Q(status=ImportBatch.Status.IMPORTING)
        & (Q(job__isnull=True) | Q(job__status__in=finished_jobs))
        | Q(status=ImportBatch.Status.FAILED, last_row__gt=0)
    )
    undone = 0
    for batch in abandoned:
        if batch.status == ImportBatch.Status.IMPORTING:
            # only if it has not moved since it was found: a resumed import keeps going
            claimed = ImportBatch.objects.filter(
                pk=batch.pk, status=batch.status, updated_at=batch.updated_at
            ).update(
                status=ImportBatch.Status.FAILED,
                failure=_failure([_interrupted_error()], []),
                updated_at=timezone.now(),
            )
            if not claimed:
                continue
        undo_import(batch, errors=[_interrupted_error()])
        undone += 1
    return undone


def _record_batch(
    *, actor, request, kind: str, file_name: str, digest: str, result: ImportResult, created
) -> ImportBatch:
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                agency_id=actor.agency_id,
                kind=kind,
                file_name=file_label(file_name),
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
        digest=sha256(canonical.encode("utf-8", "surrogatepass")),  # refused below if so
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
