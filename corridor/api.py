"""The JSON API for integrations: token authentication, the same access rules as the pages.

Endpoints stay thin: they parse input with ninja schemas, look records up through
`corridor.accounts.access` and call the apps' service functions, which check the rules,
write the audit trail and raise the exceptions mapped to HTTP statuses below.

Each app's `api.py` defines a `router` and may import the shared pieces from this module;
the routers are added when the URLs are first built (`CorridorAPI.urls`), so the import
order between this module and the apps' modules does not matter.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer

from corridor.accounts.services import authenticate_api_token
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.paging import MAX_ROWS, capped

ROUTERS = (
    ("", "corridor.accounts.api.router"),
    ("", "corridor.people.api.router"),
    ("", "corridor.cases.api.router"),
    ("", "corridor.referrals.api.router"),
    ("", "corridor.screening.api.router"),
    ("", "corridor.incidents.api.router"),
    ("", "corridor.investigations.api.router"),
    ("", "corridor.intake.api.router"),
    ("", "corridor.crossborder.api.router"),
    ("", "corridor.jobs.api.router"),
    ("", "corridor.linkage.api.router"),
    ("", "corridor.cooperation.api.router"),
)

# The most items one page of a list returns, whatever `limit` asks for.
MAX_PAGE_SIZE = 100
MAX_OFFSET = MAX_ROWS

DESCRIPTION = """\
The JSON API of Corridor for integrations (case management systems, hotlines, statistics
pipelines). It applies exactly the same need-to-know rules as the web pages.

**Authentication.** Send `Authorization: Bearer cor_<key id>_<secret>` with an API token
created under *Account → API tokens*. Only tokens are accepted: a browser session cookie is
ignored, so the API has no CSRF exposure. A missing, malformed or revoked token gets `401`.

**Access.** A record outside your need-to-know answers `404`, exactly like a reference that
does not exist; a record you may read but not change answers `403`. Analysts and
administrators see no personal data: their lists are empty.

**Audit.** Every read of a person (list or detail) and of a case is written to the audit
trail, as on the pages.

**Errors.** `{"detail": "..."}`; invalid input answers `422` with
`{"detail": [{"field": "age_estimate_max", "message": "..."}]}` and writes nothing; an edit
based on an old `version` answers `409` and writes nothing: fetch the record again.

**Lists** take `limit` (at most 100) and `offset` and answer `{"items": [...], "count": n}`.
Dates and times are ISO 8601; countries are ISO 3166-1 alpha-2 codes.
"""


# --- authentication ---------------------------------------------------------------------------


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer cor_<key id>_<secret>`; the token's user becomes `request.user`.

    Session cookies are deliberately not an authentication method of the API.
    """

    def authenticate(self, request: HttpRequest, token: str):
        user = authenticate_api_token(token)
        if user is None or not user.is_active:
            return None
        request.user = user  # the services and the audit trail read the actor from here
        return user


# --- shared schemas -------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    field: str | None
    message: str


class FieldErrorsOut(Schema):
    detail: list[FieldError]


# Documented error answers, merged into each operation's `response`.
READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: FieldErrorsOut}


class Pagination(LimitOffsetPagination):
    """ninja's limit/offset pagination, capped at `MAX_PAGE_SIZE` items a page and at an
    offset the databases can take (a larger one answers 422, not a server error).

    The count stops at `CORRIDOR_COUNT_LIMIT` (or at the end of the page asked for, if that is
    further) and `more` says there are further rows, as on the pages (`corridor.core.paging`):
    an exact count of a national table on every call cost more than the call."""

    class Input(Schema):
        limit: int = Field(MAX_PAGE_SIZE, ge=1)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description="How many there are, counted no further than the server's count "
            "limit or the end of this page, whichever is further"
        )
        more: bool = Field(
            False, description="True when there are more than `count`: page on with `offset`"
        )

    def __init__(self, **kwargs):
        kwargs.setdefault("max_limit", MAX_PAGE_SIZE)
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        count, more = capped(queryset, max(settings.CORRIDOR_COUNT_LIMIT, offset + limit))
        return {
            self.items_attribute: queryset[offset : offset + limit],
            "count": count,
            "more": more,
        }


class AuditedPagination(Pagination):
    """Pagination that reports the page it returns to `audit(items, actor=, request=)`.

    Only the records actually sent are audited, never the whole visible queryset.
    """

    def __init__(self, *, audit, **kwargs):
        self.audit = audit
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        result = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(result[self.items_attribute])
        result[self.items_attribute] = items
        self.audit(items, actor=request.user, request=request)
        return result


def one_of(choices) -> Any:
    """The values of a model's `TextChoices` as a type: validated, and listed in the schema.

    A `Literal` rather than the enum class itself, whose name (`Status`, `Kind`) several
    models share and would collide in the OpenAPI components.
    """
    return Literal[tuple(choices.values)]


def django_errors(exc: DjangoValidationError) -> list[dict]:
    """A service's ValidationError as `[{"field": ..., "message": ...}]`."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": None if name == NON_FIELD_ERRORS else name, "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in exc.messages]


def renamed_fields(exc: DjangoValidationError, names: dict[str, str]) -> DjangoValidationError:
    """The same error naming the API's fields where a service names the model's."""
    if not hasattr(exc, "error_dict"):
        return exc
    return DjangoValidationError(
        {names.get(name, name): messages for name, messages in exc.message_dict.items()}
    )


# --- the API --------------------------------------------------------------------------------


def _document_shared_errors(schema: dict) -> dict:
    """Every operation may answer what the shared handlers answer: 422 for a parameter or
    body that does not validate, 400 for a body that is not JSON. Documented once here."""
    refs = {
        name: {"$ref": f"#/components/schemas/{name}"} for name in ("ErrorOut", "FieldErrorsOut")
    }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if (operation.get("parameters") or operation.get("requestBody")) and not (
                {422, "422"} & responses.keys()
            ):
                responses.setdefault(
                    422,
                    {
                        "description": "Invalid input: each field and what is wrong with it",
                        "content": {"application/json": {"schema": refs["FieldErrorsOut"]}},
                    },
                )
            if operation.get("requestBody") and not ({400, "400"} & responses.keys()):
                responses.setdefault(
                    400,
                    {
                        "description": "The body is not JSON (or not the declared form)",
                        "content": {"application/json": {"schema": refs["ErrorOut"]}},
                    },
                )
    return schema


class CorridorAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        return _document_shared_errors(super().get_openapi_schema(**kwargs))

    @property
    def urls(self):
        if not getattr(self, "_corridor_routers_added", False):
            self._corridor_routers_added = True
            for prefix, router in ROUTERS:
                self.add_router(prefix, import_string(router))
        return super().urls


api = CorridorAPI(
    title="Corridor API",
    version="1",
    description=DESCRIPTION,
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Served from ninja's static files (ninja is in INSTALLED_APPS): nothing from the internet,
    # not even swagger's online validator badge.
    docs=Swagger(settings={"validatorUrl": None}),
    urls_namespace="api",
    auth=ApiTokenAuth(),
)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("A valid API token is required.")}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="corridor"'
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Always the same body: a hidden record must not be told apart from a missing one.
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    detail = str(exc) or _("You may not do this.")
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(DjangoValidationError)
def _invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": django_errors(exc)}, status=422)


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Schema errors in the same shape as the services' errors: the field, a message."""
    errors = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        source, parts = (loc[0], loc[1:]) if loc else ("", [])
        if source == "body":
            parts = parts[1:]  # the name of the view's body parameter
        errors.append(
            {
                "field": ".".join(parts) or None,
                "message": str(error.get("msg", _("Invalid value."))),
            }
        )
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(OverflowError)
def _too_large(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """A number past what the database stores (SQLite: 64 bits) names no record: the caller
    is told so, as for any invalid input, instead of a server error."""
    message = _("A number is too large.")
    return api.create_response(
        request, {"detail": [{"field": None, "message": message}]}, status=422
    )


@api.exception_handler(ConcurrentEdit)
def _conflict(request: HttpRequest, exc: ConcurrentEdit) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)
