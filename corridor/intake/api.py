"""API: paper registers and phone-form submissions in, the screening XLSForm out.

Imports are all or nothing: a rejected file answers `422` with every problem as
`{"row": 3, "column": "Date de naissance", "field": "date_of_birth", "message": "..."}`
(row 1 is the header row; for submissions, the position in the list counted from 1) and
writes nothing. The same register twice answers `409`; submissions already received are
counted and skipped.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from corridor.api import ErrorOut
from corridor.intake import services
from corridor.intake import xlsform as builder
from corridor.intake.tasks import start_register_import

router = Router(tags=["intake"])


class RowErrorOut(Schema):
    row: int | None = Field(
        None, description="Row in the file (header = 1) or submission (from 1)."
    )
    column: str = Field("", description="The column (or submission key) as named in the file.")
    field: str | None = Field(description="The Corridor field or indicator it was read into.")
    message: str


class RowErrorsOut(Schema):
    detail: list[RowErrorOut]


class CreatedRecordOut(Schema):
    row: int
    person: str = Field(description="The person's reference.")
    case: str | None = Field(None, description="The protection case opened, if any.")
    screening: str | None = Field(None, description="The screening's reference (submissions).")


class ImportOut(Schema):
    batch: int | None = Field(description="The import's id; null for a check or nothing new.")
    rows: int
    persons: int
    cases: int
    screenings: int
    already_imported: int = Field(description="Submissions received before, skipped.")
    mapping: dict[str, str] = Field(description="File column → Corridor field, as applied.")
    created: list[CreatedRecordOut]


class JobStartedOut(Schema):
    job: str = Field(description="The background job's id.")
    url: str = Field(description="Where to follow it.")


IMPORT_ERRORS = {401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: RowErrorsOut}


def _out(result: services.ImportResult) -> dict:
    return {
        "batch": result.batch.pk if result.batch else None,
        "rows": result.rows,
        "persons": result.persons,
        "cases": result.cases,
        "screenings": result.screenings,
        "already_imported": result.already_imported,
        "mapping": result.mapping,
        "created": result.batch.created if result.batch else [],
    }


def _one_error(field: str, message: str):
    return Status(
        422, {"detail": [{"row": None, "column": "", "field": field, "message": message}]}
    )


def _rejected(exc: services.ImportRejected):
    return Status(422, {"detail": [e.as_dict() for e in exc.errors]})


@router.post(
    "/intake/registers",
    response={201: ImportOut, 200: ImportOut, 202: JobStartedOut, **IMPORT_ERRORS},
    summary="Import a paper register (CSV or XLSX): all rows or none",
)
def register_import(
    request: HttpRequest,
    file: File[UploadedFile],
    mapping: str = Form(
        "",
        description='JSON object, file column → Corridor field, e.g. {"Nom": "family_name"}; '
        "empty: your agency's saved mappings and the known column names.",
    ),
    open_cases: bool = Form(False, description="Open a protection case for every person."),
    check: bool = Form(False, description="Check every row and import nothing."),
    background: bool = Form(
        False,
        description="Import (or check) as a background job: answers 202 at once with the job "
        "to follow at `GET /api/jobs/{id}`; its outcome has the batch or the rejected rows.",
    ),
):
    columns: dict[str, str] | None = None
    if mapping.strip():
        try:
            columns = json.loads(mapping)
        except ValueError:
            columns = None
        if not isinstance(columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
        ):
            return _one_error("mapping", _("The mapping must be a JSON object of column → field."))
    if file.size > services.MAX_FILE_BYTES:
        return _one_error("file", _("The file is larger than 20 MB."))
    if background:
        return _start_in_background(request, file, columns, open_cases=open_cases, check=check)
    try:
        result = services.import_register(
            actor=request.user,
            content=file.read(),
            file_name=file.name or "register",
            mapping=columns,
            open_cases=open_cases,
            dry_run=check,
            request=request,
        )
    except services.ImportRejected as exc:
        return _rejected(exc)
    except services.AlreadyImported as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200 if check else 201, _out(result))


def _start_in_background(request, file, columns, *, open_cases: bool, check: bool):
    try:
        staged, headers = services.stage_upload(
            actor=request.user, file_name=file.name or "register", content=file.read()
        )
        mapping = services.check_mapping(
            headers, columns or services.suggest_mapping(request.user.agency_id, headers)
        )
    except services.ImportRejected as exc:
        return _rejected(exc)
    except services.AlreadyImported as exc:
        return Status(409, {"detail": str(exc)})
    job = start_register_import(
        staged, actor=request.user, mapping=mapping, open_cases=open_cases, dry_run=check
    )
    return Status(202, {"job": str(job.pk), "url": f"/api/jobs/{job.pk}"})


@router.post(
    "/intake/submissions",
    response={201: ImportOut, 200: ImportOut, **IMPORT_ERRORS},
    summary="Import ODK / KoBoToolbox screening submissions (KoBo JSON); never twice",
)
def submissions_import(request: HttpRequest, submissions: list[dict[str, Any]]):
    """The body is the list KoBoToolbox's JSON export holds: one object per submission,
    keys such as `_uuid`, `meta/instanceID`, `_submission_time`, `person/sex` and
    `<dimension>/<indicator code>` with `yes`, `no` or `dont_know`. Submissions received
    before (same instance id) are counted in `already_imported` and create nothing."""
    try:
        result = services.import_submissions(
            actor=request.user, submissions=submissions, source="api", request=request
        )
    except services.ImportRejected as exc:
        return _rejected(exc)
    return Status(201 if result.batch else 200, _out(result))


class XLSFormQuery(Schema):
    catalogue: str = Field(description="The indicator catalogue's code.")
    version: int | None = Field(None, description="Its version; default: the one in use.")


@router.get(
    "/intake/xlsform",
    response={200: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The screening form of a published catalogue as an XLSForm (.xlsx)",
)
def xlsform_download(request: HttpRequest, query: Query[XLSFormQuery]):
    if not services.can_download_form(request.user):
        return Status(403, {"detail": _("Your role does not use screening forms.")})
    catalogue = builder.get_catalogue(query.catalogue, query.version)
    response = HttpResponse(builder.build_xlsform(catalogue), content_type=builder.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{builder.file_name(catalogue)}"'
    return response
