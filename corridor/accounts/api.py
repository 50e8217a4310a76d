"""API: who the token belongs to, and the agency directory (referrals need it)."""

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from corridor.accounts import access
from corridor.accounts.models import Agency, Role
from corridor.api import ErrorOut, Pagination, one_of

router = Router(tags=["accounts"])


class AgencyRef(Schema):
    """An agency named inside another record (owner, referring or receiving organisation)."""

    id: int
    name: str
    short_name: str
    country: str = Field(description="ISO 3166-1 alpha-2.")


class AgencyOut(AgencyRef):
    sector: str = Field(description="One of: " + ", ".join(Agency.Sector.values) + ".")
    kind: str = Field(description="One of: " + ", ".join(Agency.Kind.values) + ".")
    city: str
    is_active: bool = Field(description="Inactive agencies receive no new referrals.")


class MeOut(Schema):
    username: str
    first_name: str
    last_name: str
    agency: AgencyOut | None
    roles: list[str] = Field(description="Role codes: " + ", ".join(Role.values) + ".")


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The token's user")
def me(request: HttpRequest):
    user = request.user
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "agency": user.agency,
        "roles": [role for role in Role.values if role in user.roles],
    }


@router.get(
    "/agencies", response={200: list[AgencyOut], 401: ErrorOut}, summary="The agency directory"
)
@paginate(Pagination)
def agency_list(
    request: HttpRequest,
    country: str | None = None,
    sector: one_of(Agency.Sector) | None = None,
    active: bool | None = None,
):
    agencies = access.agencies_visible_to(request.user)
    if country:
        agencies = agencies.filter(country=country.upper())
    if sector:
        agencies = agencies.filter(sector=sector)
    if active is not None:
        agencies = agencies.filter(is_active=active)
    return agencies.order_by("country", "name", "pk")
