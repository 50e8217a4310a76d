"""Pages for field and paper data: register imports, phone-form submissions, the XLSForm."""

import uuid
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corridor.accounts import access
from corridor.core.forms import apply_validation_error
from corridor.intake import services
from corridor.intake import xlsform as builder
from corridor.intake.forms import MappingForm, RegisterUploadForm, SubmissionUploadForm
from corridor.intake.importers import TARGETS_BY_NAME, FileError, RowError, read_table
from corridor.intake.models import ImportMapping
from corridor.intake.tasks import start_register_import
from corridor.jobs.services import outcome_of

RECENT_IMPORTS = 20
PREVIEW_ROWS = 3


def _require_importer(user) -> None:
    if not services.can_import(user):
        raise PermissionDenied


@login_required
def home(request):
    _require_importer(request.user)
    batches = services.batches_visible_to(request.user).select_related("created_by")
    return render(
        request,
        "intake/home.html",
        {
            "batches": batches[:RECENT_IMPORTS],
            "mappings": ImportMapping.objects.filter(agency_id=request.user.agency_id),
            "can_download_form": services.can_download_form(request.user),
        },
    )


def _errors_for_display(errors):
    return [
        {
            "row": e.row,
            "column": e.column,
            "field": e.field,
            "field_label": TARGETS_BY_NAME[e.field].label
            if e.field in TARGETS_BY_NAME
            else e.field,
            "message": e.message,
        }
        for e in errors
    ]


@login_required
@require_http_methods(["GET", "POST"])
def register_import(request):
    """Step 1: upload the register. Step 2 (register_map) maps its columns and imports it."""
    _require_importer(request.user)
    form = RegisterUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.MAX_FILE_BYTES:
            form.add_error("file", _("The file is larger than 20 MB."))
        else:
            try:
                staged, _headers = services.stage_upload(
                    actor=request.user, file_name=upload.name, content=upload.read()
                )
            except services.AlreadyImported as exc:
                messages.error(request, str(exc))
                return redirect("intake:batch", exc.batch.pk)
            except services.ImportRejected as exc:
                errors = _errors_for_display(exc.errors)
            else:
                return redirect("intake:register_map", staged.token)
    return render(request, "intake/register_upload.html", {"form": form, "errors": errors})


@login_required
@require_http_methods(["GET", "POST"])
def register_map(request, token):
    staged = services.get_staged_for_user(request.user, token)
    content = staged.content
    try:
        table = read_table(content, staged.file_name)
    except FileError:  # it was readable when staged; be safe anyway
        staged.delete()
        raise
    suggested = services.suggest_mapping(request.user.agency_id, table.headers)
    form = MappingForm(request.POST or None, headers=table.headers, initial_mapping=suggested)
    errors, checked = _outcome_of_job(request, staged)
    if request.method == "POST" and form.is_valid() and len(table.rows) > background_rows():
        try:
            job = _start_import_job(request, staged, table.headers, form)
        except services.ImportRejected as exc:
            errors = _errors_for_display(exc.errors)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("jobs:detail", job.pk)
    elif request.method == "POST" and form.is_valid():
        dry_run = "check" in request.POST
        try:
            result = services.import_register(
                actor=request.user,
                content=content,
                file_name=staged.file_name,
                mapping=form.mapping(),
                open_cases=form.cleaned_data["open_cases"],
                dry_run=dry_run,
                request=request,
            )
        except services.AlreadyImported as exc:
            staged.delete()
            messages.error(request, str(exc))
            return redirect("intake:batch", exc.batch.pk)
        except services.ImportRejected as exc:
            errors = _errors_for_display(exc.errors)
        else:
            if form.cleaned_data["save_as"]:
                try:
                    services.save_mapping(
                        actor=request.user,
                        name=form.cleaned_data["save_as"],
                        columns=result.mapping,
                        request=request,
                    )
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                else:
                    messages.info(
                        request,
                        _("Mapping saved as “{name}”.").format(name=form.cleaned_data["save_as"]),
                    )
            if dry_run:
                checked = result
            else:
                staged.delete()
                messages.success(
                    request,
                    _("{persons} persons and {cases} cases imported from {file}.").format(
                        persons=result.persons, cases=result.cases, file=staged.file_name
                    ),
                )
                return redirect("intake:batch", result.batch.pk)
    samples = [
        " · ".join(
            v[:30] for v in (cells.get(h, "") for _n, cells in table.rows[:PREVIEW_ROWS]) if v
        )
        for h in table.headers
    ]
    return render(
        request,
        "intake/register_map.html",
        {
            "staged": staged,
            "form": form,
            "errors": errors,
            "checked": checked,
            "rows": len(table.rows),
            "columns": list(zip(form.column_boundfields(), samples, strict=True)),
        },
    )


def background_rows() -> int:
    return settings.CORRIDOR_BACKGROUND_IMPORT_ROWS


def _start_import_job(request, staged, headers, form):
    """A long register is checked or imported by a background job; its page shows progress.
    The mapping is checked (and saved) first, so a mistake in it is shown at once."""
    mapping = services.check_mapping(headers, form.mapping())
    if form.cleaned_data["save_as"]:
        services.save_mapping(
            actor=request.user, name=form.cleaned_data["save_as"], columns=mapping, request=request
        )
    return start_register_import(
        staged,
        actor=request.user,
        mapping=mapping,
        open_cases=form.cleaned_data["open_cases"],
        dry_run="check" in request.POST,
    )


def _outcome_of_job(request, staged):
    """The errors or the check summary of this upload's finished import job (`?job=`)."""
    job_id = request.GET.get("job", "")
    if request.method != "GET" or not job_id:
        return [], None
    job = access.jobs_visible_to(request.user).filter(pk=_uuid(job_id), status="succeeded").first()
    if job is None or job.arguments.get("staged") != str(staged.token):
        return [], None
    outcome = outcome_of(job)
    errors = [RowError(**error) for error in outcome.get("errors", [])]
    checked = outcome.get("checked")
    return _errors_for_display(errors), SimpleNamespace(**checked) if checked else None


def _uuid(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@login_required
def batch_detail(request, pk):
    batch = services.get_batch_for_user(request.user, pk)
    failure = services.failure_of(batch)
    return render(
        request,
        "intake/batch.html",
        {
            "batch": batch,
            "errors": _errors_for_display(failure["errors"]),
            "kept": failure["kept"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submissions_import(request):
    _require_importer(request.user)
    form = SubmissionUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.MAX_FILE_BYTES:
            form.add_error("file", _("The file is larger than 20 MB."))
        else:
            try:
                result = services.import_submissions_file(
                    actor=request.user,
                    content=upload.read(),
                    file_name=upload.name,
                    request=request,
                )
            except services.ImportRejected as exc:
                errors = _errors_for_display(exc.errors)
            else:
                if result.batch is None:
                    messages.info(
                        request,
                        _(
                            "All {count} submissions in {file} were already imported; "
                            "nothing new was created."
                        ).format(count=result.already_imported, file=upload.name),
                    )
                    return redirect("intake:home")
                messages.success(
                    request,
                    _(
                        "{screenings} screenings imported from {file}; "
                        "{already} submissions were already imported."
                    ).format(
                        screenings=result.screenings,
                        file=upload.name,
                        already=result.already_imported,
                    ),
                )
                return redirect("intake:batch", result.batch.pk)
    return render(request, "intake/submissions_upload.html", {"form": form, "errors": errors})


@login_required
def xlsform(request):
    """Choose a published indicator list; with ?catalogue=<code> the XLSForm is downloaded."""
    if not services.can_download_form(request.user):
        raise PermissionDenied
    catalogues = builder.catalogues_for_forms()
    code = request.GET.get("catalogue")
    if code:
        catalogue = builder.get_catalogue(code, request.GET.get("version"))
        content = builder.build_xlsform(catalogue)
        response = HttpResponse(content, content_type=builder.XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{builder.file_name(catalogue)}"'
        return response
    return render(request, "intake/xlsform.html", {"catalogues": catalogues})
