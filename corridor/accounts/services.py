"""Business rules for accounts: sign-in audit, two-factor, API tokens, agencies and users.

Every write goes through one function here that takes the actor keyword-only, checks that
the actor may do it, validates, writes inside one transaction and records an audit event.
Passwords, token secrets and TOTP keys never reach the audit trail.
"""

from __future__ import annotations

import base64
import hmac
import io
import re
import time
from base64 import b32encode
from datetime import timedelta

import segno
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts import access
from corridor.accounts.models import Agency, ApiToken, Role, RoleRequest, User
from corridor.audit.services import Action, record_event
from corridor.core.concurrency import save_versioned
from corridor.notifications.services import notify

AGENCY_FIELDS = ("name", "short_name", "country", "sector", "kind", "city", "is_active")
USER_FIELDS = ("username", "first_name", "last_name", "email", "agency", "is_active", "roles")
# How often `last_used_at` may be written: a busy integration must not write on every call.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
_KEY_ID = re.compile(r"^[0-9a-f]{12}$")
# Compared against when no token has the key id, so a miss costs the same as a hit.
_DUMMY_HASH = ApiToken.hash_secret("corridor-no-such-token")


# --- sign-in audit (connected to Django's auth signals in apps.py) -------------------------


# When the session began and when it was last used (accounts.middleware.IdleTimeoutMiddleware).
SIGNED_IN_KEY = "corridor_signed_in_at"
SEEN_KEY = "corridor_seen_at"


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_KEY] = request.session[SEEN_KEY] = int(time.time())
    record_event(Action.LOGIN, actor=user, obj=user, request=request)


def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Record the attempted username only: the cleaned credentials still name the password."""
    username = str((credentials or {}).get("username") or "")[:150]
    record_event(
        Action.LOGIN_FAILED,
        request=request,
        details={
            "username": username,
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
        },
    )


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_event(Action.LOGOUT, actor=user, obj=user, request=request)


# --- two-factor authentication (TOTP) --------------------------------------------------------


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device shown during setup; reused so a reload keeps the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The base32 key, for people who type it into their app instead of scanning."""
    return b32encode(device.bin_key).decode("ascii")


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// QR code as a data: URI, drawn here so no image comes from elsewhere."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", scale=5, border=2, xmldecl=False
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _check_code(device: TOTPDevice, code: str, *, actor, request: HttpRequest | None) -> None:
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        raise ValidationError(
            {
                "code": _(
                    "Too many wrong codes in a row. Wait a few seconds, then enter the code your "
                    "app shows now."
                )
            }
        )
    if not device.verify_token(code):
        record_event(
            Action.LOGIN_FAILED,
            actor=actor,
            obj=actor,
            request=request,
            details={"username": actor.username, "mfa": "wrong code"},
        )
        raise ValidationError(
            {
                "code": _(
                    "This code is not valid. Check that your phone's clock is right and enter the "
                    "code your app shows now."
                )
            }
        )


def confirm_totp_device(
    device: TOTPDevice, code: str, *, actor, request: HttpRequest | None = None
) -> TOTPDevice:
    """Finish enrolment: the first valid code proves the app holds the key."""
    if device.user_id != actor.pk or device.confirmed:
        raise PermissionDenied(_("This authenticator is not waiting to be set up by you."))
    # Checked outside the transaction: a wrong code's throttle count and audit row must stay.
    _check_code(device, code, actor=actor, request=request)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        record_event(
            Action.ADMIN, actor=actor, obj=actor, request=request, details={"mfa": "enrolled"}
        )
    return device


def verify_totp_device(
    device: TOTPDevice, code: str, *, actor, request: HttpRequest | None = None
) -> TOTPDevice:
    """Check the second factor of a user who already enrolled."""
    if device.user_id != actor.pk or not device.confirmed:
        raise PermissionDenied(_("This authenticator does not belong to you."))
    _check_code(device, code, actor=actor, request=request)
    return device


def reset_mfa(target: User, *, actor, request: HttpRequest | None = None) -> int:
    """Remove a user's authenticators (a lost phone); they enrol again at next sign-in."""
    if not access.can_administer(actor):
        raise PermissionDenied(_("Only administrators reset two-factor authentication."))
    with transaction.atomic():
        removed, _detail = TOTPDevice.objects.filter(user=target).delete()
        record_event(
            Action.ADMIN, actor=actor, obj=target, request=request, details={"mfa": "reset"}
        )
    return removed


# --- API tokens -----------------------------------------------------------------------------


def issue_api_token(
    *, actor, name: str, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Create a token for the actor; the full token is returned once and never stored."""
    if not (actor and actor.is_authenticated and actor.is_active):
        raise PermissionDenied(_("Sign in to create an API token."))
    name = (name or "").strip()
    max_length = ApiToken._meta.get_field("name").max_length
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the system that uses it.")})
    if len(name) > max_length:
        raise ValidationError(
            {"name": _("Use at most {count} characters.").format(count=max_length)}
        )
    raw, key_id, key_hash = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(user=actor, name=name, key_id=key_id, key_hash=key_hash)
        record_event(
            Action.CREATE,
            actor=actor,
            obj=token,
            object_ref=key_id,
            request=request,
            details={"name": name, "user": actor.username},
        )
    return token, raw


def revoke_api_token(token: ApiToken, *, actor, request: HttpRequest | None = None) -> ApiToken:
    """Stop a token from working, for good. Its owner or an administrator may do it."""
    if not (
        actor
        and actor.is_authenticated
        and (token.user_id == actor.pk or access.can_administer(actor))
    ):
        raise PermissionDenied(_("You may only revoke your own tokens."))
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=token,
            object_ref=token.key_id,
            request=request,
            details={"fields": ["revoked_at"], "revoked": True},
        )
    return token


def authenticate_api_token(raw: str) -> User | None:
    """The active user a `cor_<key_id>_<secret>` bearer token belongs to, else None."""
    if not isinstance(raw, str) or len(raw) > 200 or not raw.startswith(ApiToken.PREFIX):
        return None
    key_id, sep, secret = raw[len(ApiToken.PREFIX) :].partition("_")
    if not sep or not secret or not _KEY_ID.match(key_id):
        return None
    token = ApiToken.objects.select_related("user__agency").filter(key_id=key_id).first()
    given = ApiToken.hash_secret(secret)
    if not hmac.compare_digest(token.key_hash if token else _DUMMY_HASH, given) or token is None:
        return None
    if token.revoked_at is not None or not token.user.may_work:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOKEN_USE_RESOLUTION)
        ).update(last_used_at=now)
    return token.user


# --- agencies -------------------------------------------------------------------------------


def _require_admin(actor) -> None:
    if not access.can_administer(actor):
        raise PermissionDenied(_("Only administrators manage agencies and users."))


def _refuse_unknown(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})


def _clean_agency(agency: Agency) -> None:
    agency.name = (agency.name or "").strip()
    agency.short_name = (agency.short_name or "").strip()
    agency.city = (agency.city or "").strip()
    agency.full_clean(exclude=["version"])


def create_agency(*, actor, request: HttpRequest | None = None, **fields) -> Agency:
    _require_admin(actor)
    _refuse_unknown(fields, AGENCY_FIELDS)
    agency = Agency(**fields)
    _clean_agency(agency)
    with transaction.atomic():
        agency.save()
        record_event(
            Action.CREATE,
            actor=actor,
            obj=agency,
            request=request,
            details={
                "fields": sorted(fields),
                "values": {f: str(getattr(agency, f)) for f in sorted(fields)},
            },
        )
    return agency


def update_agency(
    agency: Agency,
    *,
    actor,
    expected_version: int,
    request: HttpRequest | None = None,
    **changes,
) -> Agency:
    """Apply changes unless someone else saved the agency since `expected_version`."""
    _require_admin(actor)
    _refuse_unknown(changes, AGENCY_FIELDS)
    for name, value in changes.items():
        setattr(agency, name, value)
    _clean_agency(agency)
    stored = Agency.objects.filter(pk=agency.pk).values(*AGENCY_FIELDS).first() or {}
    changed = [
        name
        for name in AGENCY_FIELDS
        if name in changes and stored.get(name) != getattr(agency, name)
    ]
    if not changed:
        return agency
    with transaction.atomic():
        save_versioned(agency, expected_version, changed)
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=agency,
            request=request,
            details={"fields": changed, "values": {f: str(getattr(agency, f)) for f in changed}},
        )
    return agency


# --- user accounts --------------------------------------------------------------------------


def _clean_roles(roles) -> set[str]:
    roles = set(roles or ())
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(
            {"roles": _("Unknown role: {roles}.").format(roles=", ".join(sorted(unknown)))}
        )
    return roles


def _set_roles(user: User, roles: set[str]) -> None:
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in sorted(roles)])
    user.__dict__.pop("roles", None)  # forget the cached role set


# Roles that open victims' records, or the administration of accounts: granted by a second
# administrator (four eyes), never by the one who asks, never to oneself. Taking a role
# away, or granting the analyst's aggregate role, needs no second pair of eyes.
FOUR_EYES_ROLES = frozenset(access.OPERATIONAL_ROLES | {Role.ADMINISTRATOR})


def _change_roles(target: User, wanted: set[str], *, actor, request) -> tuple[set, set]:
    """Apply `wanted` as far as one administrator may; return (roles now held, requested)."""
    current = set(target.groups.values_list("name", flat=True))
    asked = (wanted - current) & FOUR_EYES_ROLES
    if asked and target.pk == actor.pk:
        raise ValidationError(
            {
                "roles": _(
                    "You cannot give yourself a role that opens records or administration: "
                    "another administrator must."
                )
            }
        )
    held = (current & wanted) | ((wanted - current) - FOUR_EYES_ROLES)
    if held != current:
        _set_roles(target, held)
    requested = set()
    for role in sorted(asked):
        _request, created = RoleRequest.objects.get_or_create(
            user=target,
            role=role,
            status=RoleRequest.Status.PENDING,
            defaults={"requested_by": actor},
        )
        if created:
            requested.add(role)
    if requested:
        username, labels = target.username, sorted(requested)
        notify(
            _other_administrators(actor),
            lambda: _("{username} is waiting for a second administrator to grant: {roles}.").format(
                username=username, roles=", ".join(str(Role(r).label) for r in labels)
            ),
            url=reverse("accounts:user_list"),
        )
    return held, requested


def _other_administrators(actor) -> list[User]:
    return list(
        User.objects.filter(is_active=True, groups__name=Role.ADMINISTRATOR)
        .exclude(pk=actor.pk)
        .distinct()
    )


def pending_role_requests():
    return RoleRequest.objects.filter(status=RoleRequest.Status.PENDING).select_related(
        "user__agency", "requested_by"
    )


def decide_role_request(
    role_request: RoleRequest, *, actor, approve: bool, request: HttpRequest | None = None
) -> RoleRequest:
    """A second administrator grants (or refuses) a role another one asked for."""
    _require_admin(actor)
    if actor.pk in (role_request.requested_by_id, role_request.user_id):
        raise PermissionDenied(
            _("A second administrator decides: not the one who asked, nor the account's owner.")
        )
    with transaction.atomic():
        locked = RoleRequest.objects.select_for_update().get(pk=role_request.pk)
        if locked.status != RoleRequest.Status.PENDING:
            raise ValidationError(_("This request was already decided."))
        locked.status = RoleRequest.Status.APPROVED if approve else RoleRequest.Status.REFUSED
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        target = locked.user
        if approve:
            target.groups.add(Group.objects.get_or_create(name=locked.role)[0])
            target.__dict__.pop("roles", None)
            User.objects.filter(pk=target.pk).update(version=F("version") + 1)
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=target,
            request=request,
            details={
                "fields": ["roles"] if approve else [],
                "roles_added" if approve else "roles_refused": [locked.role],
                "asked_by": getattr(locked.requested_by, "username", ""),
            },
        )
        if locked.requested_by is not None:
            username, role = target.username, locked.role
            notify(
                [locked.requested_by],
                (
                    lambda: _("Role {role} granted to {username}.").format(
                        role=Role(role).label, username=username
                    )
                )
                if approve
                else (
                    lambda: _("Role {role} for {username} refused.").format(
                        role=Role(role).label, username=username
                    )
                ),
                url=reverse("accounts:user_edit", args=[target.pk]),
            )
    return locked


def _clean_user(user: User, *, agency_changed: bool) -> None:
    user.username = (user.username or "").strip()
    user.email = (user.email or "").strip()
    user.first_name = (user.first_name or "").strip()
    user.last_name = (user.last_name or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password", "version"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    clash = User.objects.filter(username__iexact=user.username).exclude(pk=user.pk)
    if user.username and "username" not in errors and clash.exists():
        errors["username"] = [_("Another account already uses this username.")]
    if user.agency_id is None:
        errors.setdefault("agency", []).append(_("Every account belongs to an agency."))
    elif agency_changed and not user.agency.is_active:
        errors.setdefault("agency", []).append(
            _("{agency} is deactivated: choose an active agency.").format(agency=user.agency)
        )
    if errors:
        raise ValidationError(errors)


def create_user_account(
    *, actor, password: str, roles=(), request: HttpRequest | None = None, **fields
) -> User:
    """Open an account with an initial password the administrator hands over."""
    _require_admin(actor)
    _refuse_unknown(fields, USER_FIELDS)
    roles = _clean_roles(roles)
    user = User(**fields)
    _clean_user(user, agency_changed=True)
    try:
        password_validation.validate_password(password or "", user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    with transaction.atomic():
        user.save()
        held, requested = _change_roles(user, roles, actor=actor, request=request)
        record_event(
            Action.CREATE,
            actor=actor,
            obj=user,
            request=request,
            details={
                "fields": sorted(set(fields) | {"roles"}),
                "username": user.username,
                "roles": sorted(held),
                "roles_requested": sorted(requested),
            },
        )
    return user


def update_user_account(
    target: User,
    *,
    actor,
    expected_version: int,
    request: HttpRequest | None = None,
    **changes,
) -> User:
    """Change an account; an administrator cannot lock themselves out of administration."""
    _require_admin(actor)
    _refuse_unknown(changes, USER_FIELDS)
    current_roles = set(target.groups.values_list("name", flat=True))
    roles = _clean_roles(changes.pop("roles")) if "roles" in changes else current_roles
    if target.pk == actor.pk:
        errors = {}
        if (roles - current_roles) & FOUR_EYES_ROLES:
            errors["roles"] = _(
                "You cannot give yourself a role that opens records or administration: "
                "another administrator must."
            )
        if Role.ADMINISTRATOR in current_roles and Role.ADMINISTRATOR not in roles:
            errors["roles"] = _(
                "You cannot remove your own administrator role: ask another administrator."
            )
        if changes.get("is_active") is False:
            errors["is_active"] = _("You cannot deactivate your own account.")
        if errors:
            raise ValidationError(errors)
    stored = (
        User.objects.filter(pk=target.pk)
        .values("username", "first_name", "last_name", "email", "agency_id", "is_active")
        .first()
        or {}
    )
    for name, value in changes.items():
        setattr(target, name, value)
    agency_changed = stored.get("agency_id") != target.agency_id
    _clean_user(target, agency_changed=agency_changed)
    changed = [
        name
        for name in ("username", "first_name", "last_name", "email", "is_active")
        if name in changes and stored.get(name) != getattr(target, name)
    ]
    if agency_changed:
        changed.append("agency")
    if not changed and roles == current_roles:
        return target
    with transaction.atomic():
        # A roles-only change still bumps the version, so a stale form cannot undo it.
        save_versioned(target, expected_version, changed)
        held, requested = (
            _change_roles(target, roles, actor=actor, request=request)
            if roles != current_roles
            else (current_roles, set())
        )
        details: dict = {"fields": changed + (["roles"] if held != current_roles else [])}
        if held != current_roles:
            details["roles_added"] = sorted(held - current_roles)
            details["roles_removed"] = sorted(current_roles - held)
        if requested:
            details["roles_requested"] = sorted(requested)
        if "is_active" in changed:
            details["is_active"] = target.is_active
        record_event(Action.CHANGE, actor=actor, obj=target, request=request, details=details)
    target.__dict__.pop("roles", None)
    return target


def record_password_change(user: User, *, request: HttpRequest | None = None) -> None:
    """Audit a user changing their own password (the value never leaves Django's hasher)."""
    record_event(
        Action.CHANGE, actor=user, obj=user, request=request, details={"fields": ["password"]}
    )
