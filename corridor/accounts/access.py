"""Who may see and change which record: the one place need-to-know is decided.

- A record belongs to the agency that created it; members of that agency with an
  operational role see it.
- An agency a case was referred to sees that case and its person while the referral is
  open or completed (not once it was declined or withdrawn) **and while the consent the
  referral relies on stands**: revoking the consent closes that access at once. Of the
  person it sees only the data categories the referral shares (`visible_categories`); a
  referral made before consents were recorded (no consent) shares identity and case only.
- NRM coordinators see every record owned by an agency of their own country.
- Analysts and administrators see no personal data at all: analysts work on aggregates,
  administrators on agencies, users and the audit trail.
- Break-glass grants open one person for a few hours, with a recorded reason.
- The wall: a user who is only an investigator or prosecutor sees identity and documents of
  the persons her agency holds, never their protection data (contact and address, account,
  health and needs, case history, referrals); a witness's protection data crosses only
  through `witness_windows` (her consent for criminal proceedings or a legal basis), audited.
- The service directory is open to every signed-in member; providers edit their own
  agency's offers, coordinators and administrators every offer.

Lookups outside this scope raise Http404, exactly like a missing record; a record the user
may see but not change raises PermissionDenied (403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts.models import Agency, BreakGlassGrant, Role, User
from corridor.cases.models import ProtectionCase
from corridor.crossborder.models import Partner, TransnationalReferral
from corridor.incidents.models import Incident, IncidentSuspect, Suspect
from corridor.investigations.models import CriminalCase, LegalBasis, Witness
from corridor.jobs.models import Job
from corridor.people.models import Person
from corridor.referrals.models import Referral, ServiceOffer

# Roles that work on individual victims' records.
OPERATIONAL_ROLES = frozenset(
    {
        Role.FIRST_RESPONDER,
        Role.COORDINATOR,
        Role.SERVICE_PROVIDER,
        Role.INVESTIGATOR,
        Role.PROSECUTOR,
    }
)
# Roles whose agency's own records are theirs to see and edit.
OWNER_ROLES = frozenset({Role.FIRST_RESPONDER, Role.COORDINATOR, Role.INVESTIGATOR})
BREAK_GLASS_ROLES = frozenset({Role.COORDINATOR, Role.INVESTIGATOR})

NOTHING = Q(pk__in=[])


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.agency_id)


def _grants(user: User):
    return BreakGlassGrant.objects.filter(user=user, expires_at__gt=timezone.now())


# A referral opens the case to its recipient only while the consent it relies on stands.
# (No consent: a referral made before consents were recorded; it shares identity and case.)
CONSENT_STANDS = Q(consent__isnull=True) | Q(consent__revoked_at__isnull=True)


def referrals_granting_access(user: User) -> QuerySet[Referral]:
    """Referrals through which the user's agency currently has a need to know."""
    return Referral.objects.filter(
        CONSENT_STANDS, to_agency_id=user.agency_id, status__in=Referral.GRANTS_ACCESS
    )


def _full_person_scope(user) -> Q | None:
    """Persons the user sees entirely (not through a referral); None when there are none."""
    q = None
    if user.has_role(Role.COORDINATOR):
        # Every record of the country (the coordinator's own agency's among them). The owner
        # test comes first and settles nearly every row; the cases are an EXISTS asked only of
        # the few persons registered abroad. Its second condition changes nothing (such a
        # person's owner is not national, a national case's owner is) but keeps PostgreSQL
        # from hashing every national case's person on each request, which cost more than
        # the page at national scale (bench/load.py).
        national = _agencies_of_country(user)
        national_case = ProtectionCase.objects.filter(
            person_id=OuterRef("pk"), owner_agency_id__in=national
        ).exclude(owner_agency_id=OuterRef("owner_agency_id"))
        q = Q(owner_agency_id__in=national) | Q(Exists(national_case))
    elif user.has_role(*OWNER_ROLES):
        # the agency's own records, and the persons whose protection case it holds
        own_cases = ProtectionCase.objects.filter(owner_agency_id=user.agency_id)
        q = Q(owner_agency_id=user.agency_id) | Q(pk__in=own_cases.values("person_id"))
    if user.has_role(*BREAK_GLASS_ROLES):
        q = (q or NOTHING) | Q(pk__in=_grants(user).values("person_id"))
    return q


# Scopes are written as `IN (subquery)` rather than correlated EXISTS: the subquery is
# small (one agency's referrals) and evaluated once, where EXISTS was re-run for every row
# of the person table (bench/access_scope.py measured 87× the unscoped page on SQLite).
def _agencies_of_country(user):
    return Agency.objects.filter(country=user.agency.country).values("pk")


def person_scope(user) -> Q:
    if not _active(user) or not user.has_role(*OPERATIONAL_ROLES):
        return NOTHING
    q = Q(pk__in=referrals_granting_access(user).values("case__person_id"))
    full = _full_person_scope(user)
    if full is not None:
        q |= full
    return q


def case_scope(user) -> Q:
    if not _active(user) or not user.has_role(*OPERATIONAL_ROLES):
        return NOTHING
    q = Q(pk__in=referrals_granting_access(user).values("case_id"))
    if user.has_role(*OWNER_ROLES):
        own_persons = Person.objects.filter(owner_agency_id=user.agency_id).values("pk")
        q |= Q(owner_agency_id=user.agency_id) | Q(person_id__in=own_persons)
    if user.has_role(Role.COORDINATOR):
        q |= Q(owner_agency_id__in=_agencies_of_country(user))
    if user.has_role(*BREAK_GLASS_ROLES):
        q |= Q(person_id__in=_grants(user).values("person_id"))
    return q


def referral_scope(user) -> Q:
    if not _active(user) or not user.has_role(*OPERATIONAL_ROLES):
        return NOTHING
    if behind_the_wall(user):
        # Where a victim was referred (a shelter's address, a clinic) is protection data:
        # behind the wall only the referrals made to the user's own agency are seen.
        return Q(to_agency_id=user.agency_id)
    q = Q(to_agency_id=user.agency_id) | Q(from_agency_id=user.agency_id)
    if user.has_role(Role.COORDINATOR):
        q |= Q(case__owner_agency__country=user.agency.country)
    return q


def persons_visible_to(user) -> QuerySet[Person]:
    return Person.objects.filter(person_scope(user))


def cases_visible_to(user) -> QuerySet[ProtectionCase]:
    return ProtectionCase.objects.filter(case_scope(user))


def referrals_visible_to(user) -> QuerySet[Referral]:
    return Referral.objects.filter(referral_scope(user))


def referral_note_hidden(user, referral: Referral) -> bool:
    """The receiving agency reads what the sender wrote about her only while the referral
    still gives it a need to know: not once it was withdrawn or declined, nor once the
    consent it relied on was revoked. The sending side keeps reading it."""
    if referral.to_agency_id != user.agency_id or referral.from_agency_id == user.agency_id:
        return False
    if user.has_role(Role.COORDINATOR) and (
        referral.case.owner_agency.country == user.agency.country
    ):
        return False
    return referral.status not in Referral.GRANTS_ACCESS or referral.consent_revoked


def can_change_person(user, person: Person) -> bool:
    if not _active(user) or not user.has_role(*OWNER_ROLES):
        return False
    if person.owner_agency_id == user.agency_id:
        return True
    return user.has_role(Role.COORDINATOR) and person.owner_agency.country == user.agency.country


def can_change_case(user, case: ProtectionCase) -> bool:
    if not _active(user):
        return False
    if user.has_role(Role.COORDINATOR) and case.owner_agency.country == user.agency.country:
        return True
    return user.has_role(Role.FIRST_RESPONDER, Role.INVESTIGATOR) and (
        case.owner_agency_id == user.agency_id
    )


def can_respond_to_referral(user, referral: Referral) -> bool:
    return (
        _active(user)
        and user.has_role(*OPERATIONAL_ROLES)
        and referral.to_agency_id == user.agency_id
    )


def can_administer(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.has_role(Role.ADMINISTRATOR)
    )


def can_read_audit(user) -> bool:
    return can_administer(user)


def can_break_glass(user) -> bool:
    return _active(user) and user.has_role(*BREAK_GLASS_ROLES)


def can_see_statistics(user) -> bool:
    return _active(user) and user.has_role(Role.ANALYST, Role.COORDINATOR, Role.ADMINISTRATOR)


def agencies_visible_to(user) -> QuerySet[Agency]:
    """The agency directory is open to every signed-in member: referrals need it."""
    if not (user and user.is_authenticated and user.is_active):
        return Agency.objects.none()
    return Agency.objects.all()


def users_visible_to(user) -> QuerySet[User]:
    if can_administer(user):
        return User.objects.all()
    if user and user.is_authenticated:
        return User.objects.filter(pk=user.pk)
    return User.objects.none()


def _get_or_404(queryset: QuerySet, **lookup):
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404("No such record.")
    return obj


def get_person_for_user(user, reference: str, *, for_change: bool = False) -> Person:
    person = _get_or_404(
        persons_visible_to(user).select_related("owner_agency"), reference=reference
    )
    if for_change and not can_change_person(user, person):
        raise PermissionDenied("You may read this record but not change it.")
    return person


def get_case_for_user(user, reference: str, *, for_change: bool = False) -> ProtectionCase:
    case = _get_or_404(
        cases_visible_to(user).select_related("person", "owner_agency", "coordinator"),
        reference=reference,
    )
    if for_change and not can_change_case(user, case):
        raise PermissionDenied("You may read this case but not change it.")
    return case


def get_referral_for_user(user, reference: str, *, for_change: bool = False) -> Referral:
    referral = _get_or_404(
        referrals_visible_to(user).select_related(
            "case__owner_agency", "from_agency", "to_agency", "offer", "consent"
        ),
        reference=reference,
    )
    if for_change and not can_respond_to_referral(user, referral):
        raise PermissionDenied("Only the agency this referral was sent to may answer it.")
    return referral


def can_withdraw_referral(user, referral: Referral) -> bool:
    """The sending agency (a role that owns records) or a coordinator who may change the case."""
    if not _active(user):
        return False
    if referral.from_agency_id == user.agency_id and user.has_role(*OWNER_ROLES):
        return True
    return user.has_role(Role.COORDINATOR) and can_change_case(user, referral.case)


# --- what a recipient sees of a person --------------------------------------------------------

# The person fields each data category (corridor.cases.models.Consent.DataCategory) covers.
# `presumed_minor` is not listed: a child must be protected as a child whatever is shared.
PERSON_FIELDS_BY_CATEGORY = {
    "identity": (
        "given_name",
        "family_name",
        "aliases",
        "sex",
        "date_of_birth",
        "age_estimate_min",
        "age_estimate_max",
        "age_disputed",
        "nationality",
        "languages",
    ),
    "contact": ("phone", "email", "address"),
    "documents": ("document_type", "document_number"),
    "story": ("narrative",),
    "health": (),
    "case": (),
}


def visible_categories_many(user, persons) -> dict[int, set[str] | None]:
    """`visible_categories` for many persons in at most two queries, keyed by person pk."""
    persons = list(persons)
    result: dict[int, set[str] | None] = {p.pk: set() for p in persons}
    if not persons or not _active(user) or not user.has_role(*OPERATIONAL_ROLES):
        return result
    full = _full_person_scope(user)
    whole = set()
    if full is not None:
        whole = set(
            Person.objects.filter(full, pk__in=[p.pk for p in persons]).values_list("pk", flat=True)
        )
    rest = [p.pk for p in persons if p.pk not in whole]
    if rest:
        shared = referrals_granting_access(user).filter(case__person_id__in=rest)
        for person_id, categories, consent_id in shared.values_list(
            "case__person_id", "shared_categories", "consent_id"
        ):
            if consent_id is None or not categories:
                categories = Referral.DEFAULT_CATEGORIES
            result[person_id] |= set(categories)
    walled = behind_the_wall(user)
    for pk in whole:
        # The wall: what the agency holds of a victim's protection stays on the protection
        # side. A witness's protection data crosses only through `witness_windows`.
        result[pk] = set(OUTSIDE_THE_WALL) if walled else None
    return result


def visible_categories(user, person: Person) -> set[str] | None:
    """The data categories of `person` the user may see: None means everything.

    Everything for the owning agency, coordinators of its country and a break-glass grant;
    for an agency that sees the person only through referrals, the union of the categories
    those referrals share (identity and case for a referral without consent); an empty set
    for anyone else.
    """
    return visible_categories_many(user, [person])[person.pk]


def hidden_person_fields(user, person: Person) -> frozenset[str]:
    """The person fields to blank out for this user (empty: show everything)."""
    return hidden_fields_for(visible_categories(user, person))


def hidden_fields_for(categories: set[str] | None) -> frozenset[str]:
    if categories is None:
        return frozenset()
    return frozenset(
        field
        for category, fields in PERSON_FIELDS_BY_CATEGORY.items()
        if category not in categories
        for field in fields
    )


# --- the service directory ----------------------------------------------------------------


def offers_visible_to(user) -> QuerySet[ServiceOffer]:
    """Active offers for every signed-in member; inactive ones only to those who manage them."""
    if not (user and user.is_authenticated and user.is_active):
        return ServiceOffer.objects.none()
    if user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR):
        return ServiceOffer.objects.all()
    q = Q(is_active=True)
    if user.agency_id and user.has_role(Role.SERVICE_PROVIDER):
        q |= Q(agency_id=user.agency_id)
    return ServiceOffer.objects.filter(q)


def can_manage_offers_of(user, agency: Agency | None) -> bool:
    """Whether the user may publish offers (and their capacity) for `agency`."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR):
        return True
    return (
        agency is not None
        and user.has_role(Role.SERVICE_PROVIDER)
        and user.agency_id is not None
        and agency.pk == user.agency_id
    )


def can_manage_offer(user, offer: ServiceOffer) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR):
        return True
    return user.has_role(Role.SERVICE_PROVIDER) and offer.agency_id == user.agency_id


def get_offer_for_user(user, pk: int, *, for_change: bool = False) -> ServiceOffer:
    offer = _get_or_404(offers_visible_to(user).select_related("agency"), pk=pk)
    if for_change and not can_manage_offer(user, offer):
        raise PermissionDenied("Only the provider and coordinators change this offer.")
    return offer


def get_user_for_admin(user, pk: int, *, for_change: bool = False) -> User:
    target = _get_or_404(users_visible_to(user).select_related("agency"), pk=pk)
    if for_change and not can_administer(user):
        raise PermissionDenied("Only administrators change accounts.")
    return target


def get_agency_for_user(user, pk: int, *, for_change: bool = False) -> Agency:
    agency = _get_or_404(agencies_visible_to(user), pk=pk)
    if for_change and not can_administer(user):
        raise PermissionDenied("Only administrators change agencies.")
    return agency


def break_glass_grant_active(user, person: Person) -> BreakGlassGrant | None:
    return _grants(user).filter(person=person).order_by("-expires_at").first()


def jobs_visible_to(user) -> QuerySet[Job]:
    """Administrators watch every background job; anyone else the jobs they started."""
    if not (user and user.is_authenticated and user.is_active):
        return Job.objects.none()
    if can_administer(user):
        return Job.objects.all()
    return Job.objects.filter(started_by=user)


def get_job_for_user(user, job_id) -> Job:
    return _get_or_404(jobs_visible_to(user).select_related("started_by"), pk=job_id)


# Who records incidents, and who sees every incident of the country: they work on networks.
INCIDENT_RECORDER_ROLES = frozenset(OWNER_ROLES | {Role.PROSECUTOR})
INCIDENT_NETWORK_ROLES = frozenset({Role.INVESTIGATOR, Role.PROSECUTOR})


# --- incidents and suspects ---------------------------------------------------------------------------


def incident_scope(user) -> Q:
    if not _active(user) or not user.has_role(*OPERATIONAL_ROLES):
        return NOTHING
    q = Q(owner_agency_id=user.agency_id)
    if user.has_role(Role.COORDINATOR, *INCIDENT_NETWORK_ROLES):
        q |= Q(owner_agency__country=user.agency.country)
    return q


def incidents_visible_to(user) -> QuerySet[Incident]:
    return Incident.objects.filter(incident_scope(user))


def suspects_visible_to(user) -> QuerySet[Suspect]:
    """Suspects of the incidents the user sees, and those the user's agency recorded."""
    if not _active(user) or not user.has_role(*OPERATIONAL_ROLES):
        return Suspect.objects.none()
    linked = IncidentSuspect.objects.filter(
        suspect=OuterRef("pk"), incident__in=incidents_visible_to(user)
    )
    return Suspect.objects.filter(Q(owner_agency_id=user.agency_id) | Exists(linked))


def can_record_incident(user) -> bool:
    return _active(user) and user.has_role(*INCIDENT_RECORDER_ROLES)


def can_change_incident(user, incident: Incident) -> bool:
    if not _active(user):
        return False
    if user.has_role(Role.COORDINATOR) and incident.owner_agency.country == user.agency.country:
        return True
    return user.has_role(*INCIDENT_RECORDER_ROLES) and incident.owner_agency_id == user.agency_id


def get_incident_for_user(user, reference: str, *, for_change: bool = False) -> Incident:
    incident = (
        incidents_visible_to(user)
        .select_related("owner_agency", "created_by")
        .filter(reference=(reference or "").strip().upper())
        .first()
    )
    if incident is None:
        raise Http404("No such record.")
    if for_change and not can_change_incident(user, incident):
        raise PermissionDenied(_("You may read this incident but not change it."))
    return incident


# --- transnational referrals and partner instances -------------------------------------------------------------------


def _is_coordinator(user) -> bool:
    return _active(user) and user.has_role(Role.COORDINATOR)


def transnational_scope(user) -> Q:
    """Outgoing referrals of the cases the user coordinates or owns; incoming ones for the
    coordinators of the country they were sent to."""
    if not _active(user):
        return NOTHING
    q = NOTHING
    outgoing = Q(direction=TransnationalReferral.Direction.OUTGOING)
    if user.has_role(Role.COORDINATOR):
        q |= outgoing & Q(case__owner_agency__country=user.agency.country)
        q |= Q(
            direction=TransnationalReferral.Direction.INCOMING,
            recipient_country=user.agency.country,
        )
    if user.has_role(*OWNER_ROLES):
        q |= outgoing & Q(case__owner_agency_id=user.agency_id)
    return q


def transnational_referrals_visible_to(user) -> QuerySet[TransnationalReferral]:
    return TransnationalReferral.objects.filter(transnational_scope(user))


def incoming_transnational_referrals_for(user) -> QuerySet[TransnationalReferral]:
    """The incoming referrals a coordinator answers and follows up, waiting ones first."""
    if not _is_coordinator(user):
        return TransnationalReferral.objects.none()
    return transnational_referrals_visible_to(user).filter(
        direction=TransnationalReferral.Direction.INCOMING
    )


def can_send_abroad(user, case: ProtectionCase) -> bool:
    return _is_coordinator(user) and can_change_case(user, case)


def can_answer_transnational(user, referral: TransnationalReferral) -> bool:
    return (
        _is_coordinator(user)
        and referral.direction == TransnationalReferral.Direction.INCOMING
        and referral.recipient_country == user.agency.country
    )


def can_withdraw_transnational(user, referral: TransnationalReferral) -> bool:
    return (
        referral.direction == TransnationalReferral.Direction.OUTGOING
        and _is_coordinator(user)
        and can_change_case(user, referral.case)
    )


def can_act_on_transnational(user, referral: TransnationalReferral) -> bool:
    return (
        can_withdraw_transnational(user, referral)
        if referral.is_outgoing
        else can_answer_transnational(user, referral)
    )


def get_transnational_referral_for_user(user, reference: str, *, for_change: bool = False):
    """A transnational referral in the user's scope (404 otherwise; 403 if read-only)."""
    referral = (
        transnational_referrals_visible_to(user)
        .select_related("partner", "case__owner_agency", "case__person", "consent")
        .filter(reference=reference)
        .first()
    )
    if referral is None:
        raise Http404("No such record.")
    if for_change and not can_act_on_transnational(user, referral):
        raise PermissionDenied(_("You may read this referral but not act on it."))
    return referral


def partners_visible_to(user) -> QuerySet[Partner]:
    return Partner.objects.all() if can_administer(user) else Partner.objects.none()


def get_partner_for_admin(user, pk: int) -> Partner:
    if not can_administer(user):
        raise PermissionDenied(_("Only administrators manage partners."))
    partner = Partner.objects.filter(pk=pk).first()
    if partner is None:
        raise Http404("No such record.")
    return partner


# --- retention: legal holds and erasure requests ----------------------------------------------

# Who places legal holds: the coordinators of the national referral mechanism (a claim, an
# appeal, a review of the NRM's decisions) and prosecutors (criminal proceedings).
LEGAL_HOLD_ROLES = frozenset({Role.COORDINATOR, Role.PROSECUTOR})


def _sees_person(user, person: Person) -> bool:
    return persons_visible_to(user).filter(pk=person.pk).exists()


def can_see_retention(user, person: Person) -> bool:
    """A person's legal holds and erasure requests: for the coordinators and prosecutors who
    see her record."""
    return _active(user) and user.has_role(*LEGAL_HOLD_ROLES) and _sees_person(user, person)


def can_see_retention_overview(user) -> bool:
    return _active(user) and user.has_role(*LEGAL_HOLD_ROLES)


def can_place_legal_hold(user, person: Person) -> bool:
    """Coordinators on the records they may change (their country's); prosecutors on the
    records referred to their office."""
    if not _active(user):
        return False
    if user.has_role(Role.COORDINATOR) and can_change_person(user, person):
        return True
    return user.has_role(Role.PROSECUTOR) and _sees_person(user, person)


def can_lift_legal_hold(user, hold) -> bool:
    """Only the agency that placed a hold lifts it: a coordinator never lifts a hold that a
    prosecutor placed for a trial."""
    return (
        _active(user)
        and user.has_role(*LEGAL_HOLD_ROLES)
        and hold.agency_id == user.agency_id
        and _sees_person(user, hold.person)
    )


def can_handle_erasure_request(user, person: Person) -> bool:
    """A person's request for erasure is recorded, and carried out or refused, by an NRM
    coordinator of her country: erasure cannot be undone."""
    return _active(user) and user.has_role(Role.COORDINATOR) and can_change_person(user, person)


# --- criminal cases: the wall between protection and prosecution ------------------------------
#
# A criminal case is seen and changed by the investigators and prosecutors of the agency that
# owns it (a police unit or a prosecutor's office) and by the prosecutors of the office it was
# referred to (`prosecutor_agency`). Nobody on the protection side sees one: not coordinators,
# providers, responders, analysts or administrators. A case outside scope is a 404.

CRIMINAL_CASE_ROLES = frozenset({Role.INVESTIGATOR, Role.PROSECUTOR})


def criminal_case_scope(user) -> Q:
    if not _active(user) or not user.has_role(*CRIMINAL_CASE_ROLES):
        return NOTHING
    q = Q(owner_agency_id=user.agency_id)
    if user.has_role(Role.PROSECUTOR):
        q |= Q(prosecutor_agency_id=user.agency_id)
    return q


def criminal_cases_visible_to(user) -> QuerySet[CriminalCase]:
    return CriminalCase.objects.filter(criminal_case_scope(user))


def can_open_criminal_case(user) -> bool:
    return _active(user) and user.has_role(*CRIMINAL_CASE_ROLES)


def can_manage_criminal_case(user, criminal_case: CriminalCase) -> bool:
    if not _active(user) or not user.has_role(*CRIMINAL_CASE_ROLES):
        return False
    if criminal_case.owner_agency_id == user.agency_id:
        return True
    return user.has_role(Role.PROSECUTOR) and criminal_case.prosecutor_agency_id == user.agency_id


def get_criminal_case_for_user(user, reference: str, *, for_change: bool = False) -> CriminalCase:
    criminal_case = _get_or_404(
        criminal_cases_visible_to(user).select_related("owner_agency", "prosecutor_agency"),
        reference=(reference or "").strip().upper().replace("\x00", ""),
    )
    if for_change and not can_manage_criminal_case(user, criminal_case):
        raise PermissionDenied(_("You may read this criminal case but not change it."))
    return criminal_case


# --- the wall: what investigators and prosecutors see of a victim's protection ------------------
#
# A user whose only roles are investigator and/or prosecutor is "behind the wall". Of the
# persons her agency holds she sees identity and documents; the protection categories (her
# contact details and address, her account, her health and needs, her case history and
# referrals) never reach her through the person and case pages. They cross only for a witness
# of a criminal case she sees, through a *window*: an active consent for criminal proceedings
# that names her agency or its sector, or a valid legal basis recorded on that case (a court
# order, a statutory duty), and only the categories they name (identity at least). Windows are
# computed at every read from the consents and legal bases as they stand: a revoked consent or
# an expired or revoked legal basis closes the window at once. Each read through a window is
# audited (`corridor.investigations.services.view_witness`) and listed for the protection
# coordinator. Break-glass grants stay what they are: an audited emergency exception.

WALL_ROLES = CRIMINAL_CASE_ROLES
PROTECTION_CATEGORIES = frozenset({"contact", "story", "health", "case"})
OUTSIDE_THE_WALL = frozenset({"identity", "documents"})
CRIMINAL_PROCEEDINGS = "criminal_proceedings"  # Consent.Purpose.CRIMINAL_PROCEEDINGS


def behind_the_wall(user) -> bool:
    """Whether the user works only on the prosecution side (investigator, prosecutor)."""
    if not _active(user):
        return False
    roles = frozenset(str(role) for role in user.roles)
    return bool(roles) and roles <= {str(role) for role in WALL_ROLES}


class WitnessWindow:
    """What one reader may see of one witness now, and on which bases."""

    def __init__(self, categories, bases):
        self.categories = frozenset(categories)
        self.bases = tuple(bases)  # ("consent", pk) and ("legal_basis", reference)

    @property
    def basis_labels(self) -> list[str]:
        return [f"{kind}:{ref}" for kind, ref in self.bases]

    def __bool__(self) -> bool:
        return bool(self.bases)


def criminal_proceedings_consents(user, persons) -> dict[int, list]:
    """Active consents of these persons that cover criminal proceedings for the user's
    agency (by name or by sector), newest first, keyed by person pk. One query."""
    from corridor.consent.models import Consent

    result: dict[int, list] = {p.pk if hasattr(p, "pk") else p: [] for p in persons}
    if not result or not _active(user):
        return result
    agency = user.agency
    consents = (
        Consent.objects.filter(person_id__in=list(result), revoked_at__isnull=True)
        .prefetch_related("recipient_agencies")
        .order_by("-given_at", "-pk")
    )
    for consent in consents:
        if CRIMINAL_PROCEEDINGS not in (consent.purposes or []):
            continue
        names_agency = agency.sector in (consent.recipient_sectors or []) or any(
            a.pk == agency.pk for a in consent.recipient_agencies.all()
        )
        if names_agency:
            result[consent.person_id].append(consent)
    return result


def valid_legal_bases(criminal_case, persons) -> dict[int, list[LegalBasis]]:
    """Legal bases of the case for these persons, not revoked and not expired today."""
    result: dict[int, list] = {p.pk if hasattr(p, "pk") else p: [] for p in persons}
    if not result:
        return result
    bases = LegalBasis.objects.filter(
        criminal_case=criminal_case,
        person_id__in=list(result),
        revoked_at__isnull=True,
        valid_until__gte=timezone.localdate(),
    ).order_by("recorded_at", "pk")
    for basis in bases:
        result[basis.person_id].append(basis)
    return result


def witness_windows(user, criminal_case, witnesses) -> dict[int, WitnessWindow]:
    """The window on each witness of `criminal_case` for `user`, keyed by witness pk: the
    categories opened (identity at least) and the bases that open them; an empty window
    (false) where no basis stands, where the user does not see the case, or where the
    witness was withdrawn. At most two queries, whatever the number of witnesses."""
    witnesses = list(witnesses)
    closed = {w.pk: WitnessWindow((), ()) for w in witnesses}
    if not witnesses or not criminal_cases_visible_to(user).filter(pk=criminal_case.pk).exists():
        return closed
    persons = {w.person_id for w in witnesses}
    consents = criminal_proceedings_consents(user, persons)
    bases = valid_legal_bases(criminal_case, persons)
    result = {}
    for witness in witnesses:
        if witness.status == Witness.Status.WITHDRAWN:
            result[witness.pk] = closed[witness.pk]
            continue
        categories: set[str] = set()
        opened = []
        for consent in consents[witness.person_id]:
            categories |= set(consent.data_categories or [])
            opened.append(("consent", consent.pk))
        for basis in bases[witness.person_id]:
            categories |= set(basis.data_categories or [])
            opened.append(("legal_basis", basis.reference))
        if opened:
            categories.add("identity")
        result[witness.pk] = WitnessWindow(categories if opened else (), opened)
    return result


def witness_window(user, witness) -> WitnessWindow:
    return witness_windows(user, witness.criminal_case, [witness])[witness.pk]


def can_see_witness_crossings(user, person: Person) -> bool:
    """The protection coordinators of the country of the agency that owns the person."""
    return (
        _active(user)
        and user.has_role(Role.COORDINATOR)
        and person.owner_agency.country == user.agency.country
    )
