"""Sign-in, two-factor, "My account" with API tokens, and agency and user administration.

Views stay thin: they check who may call them, hand the form's data to a service function
and show its ValidationError under the field it names.
"""

from functools import wraps

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts import access, services
from corridor.accounts.forms import (
    AgencyForm,
    ApiTokenForm,
    LoginForm,
    NewUserAccountForm,
    TOTPCodeForm,
    UserAccountForm,
)
from corridor.accounts.models import Agency, ApiToken, Role, User
from corridor.core.forms import apply_validation_error, perform_on_form

PAGE_SIZE = 50


def administrators_only(view):
    """Declare, at the endpoint, that only administrators may call it (others get 403)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not access.can_administer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


# --- sign-in and two-factor -----------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa(request):
    """Set up the authenticator app on first use, then ask for its code at every sign-in."""
    user = request.user
    device = services.confirmed_totp_device(user)
    if device is not None and user.is_verified():
        return redirect(_safe_next(request))
    setup = device is None
    if setup:
        device = services.pending_totp_device(user)
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if setup:
                services.confirm_totp_device(device, code, actor=user, request=request)
            else:
                services.verify_totp_device(device, code, actor=user, request=request)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            request.session.cycle_key()  # a new session id for the more trusted session
            django_otp.login(request, device)
            if setup:
                messages.success(
                    request, _("Two-factor authentication is now on for your account.")
                )
            return redirect(_safe_next(request))
    context = {"form": form, "setup": setup, "next": _safe_next(request)}
    if setup:
        context.update(
            qr_uri=services.totp_qr_data_uri(device), secret=services.totp_secret(device)
        )
    return render(request, "accounts/mfa.html", context)


# --- my account -----------------------------------------------------------------------------


def _security_page(request, *, token_form=None, new_token=None, status=200):
    user = request.user
    tokens = ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")
    device = services.confirmed_totp_device(user)
    return render(
        request,
        "accounts/security.html",
        {
            "account": user,
            "mfa_device": device,
            "mfa_required": user.needs_mfa and settings.CORRIDOR_REQUIRE_MFA,
            "tokens": tokens,
            "token_form": token_form or ApiTokenForm(),
            "new_token": new_token,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def security(request):
    return _security_page(request)


@never_cache
@login_required
@require_POST
def token_create(request):
    """Show the new token in this response only: it is never stored or shown again."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.issue_api_token(
                actor=request.user, request=request, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return _security_page(request, new_token={"token": token, "raw": raw})
    return _security_page(request, token_form=form, status=400)


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_api_token(token, actor=request.user, request=request)
    messages.success(
        request, _("Token {name} revoked: it no longer opens the API.").format(name=token.name)
    )
    return redirect("accounts:security")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_password_change(self.request.user, request=self.request)
        messages.success(self.request, _("Your password was changed."))
        return response


# --- agencies -------------------------------------------------------------------------------


@administrators_only
def agency_list(request):
    agencies = Agency.objects.annotate(user_count=Count("users")).order_by("country", "name")
    page = Paginator(agencies, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/agency_list.html", {"page": page})


@administrators_only
@require_http_methods(["GET", "POST"])
def agency_create(request):
    form = AgencyForm(request.POST or None, initial={"country": settings.CORRIDOR_COUNTRY})
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.create_agency(actor=request.user, request=request, **form.changes())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Agency {name} created.").format(name=agency.name))
            return redirect("accounts:agency_list")
    return render(request, "accounts/agency_form.html", {"form": form, "agency": None})


@administrators_only
@require_http_methods(["GET", "POST"])
def agency_edit(request, pk: int):
    agency = access.get_agency_for_user(request.user, pk, for_change=True)
    if request.method == "POST":
        form = AgencyForm(request.POST)  # the service compares against the stored record
        if form.is_valid():
            if perform_on_form(
                form,
                lambda: services.update_agency(
                    agency,
                    actor=request.user,
                    request=request,
                    expected_version=form.cleaned_data.get("version") or 0,
                    **form.changes(),
                ),
            ):
                messages.success(request, _("Changes to {name} saved.").format(name=agency.name))
                return redirect("accounts:agency_list")
    else:
        form = AgencyForm(instance=agency, initial={"version": agency.version})
    return render(request, "accounts/agency_form.html", {"form": form, "agency": agency})


# --- users ----------------------------------------------------------------------------------


@administrators_only
def user_list(request):
    users = User.objects.select_related("agency").prefetch_related("groups").order_by("username")
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    for account in page:
        names = {group.name for group in account.groups.all()}
        account.role_names = [label for value, label in Role.choices if value in names]
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "role_requests": _role_requests_for(request.user)},
    )


def _role_requests_for(admin) -> list:
    requests = list(services.pending_role_requests())
    for item in requests:
        item.mine_to_decide = admin.pk not in (item.requested_by_id, item.user_id)
    return requests


@administrators_only
@require_POST
def role_request_decide(request, pk: int):
    """A second administrator grants or refuses a role another one asked for."""
    role_request = get_object_or_404(services.pending_role_requests(), pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_role_request(
            role_request, actor=request.user, approve=approve, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = (
            _("Role {role} granted to {username}.")
            if approve
            else _("Role {role} for {username} refused.")
        )
        messages.success(
            request,
            text.format(role=Role(role_request.role).label, username=role_request.user.username),
        )
    return redirect("accounts:user_list")


def _say_what_waits(request, account) -> None:
    waiting = [
        str(Role(r.role).label) for r in services.pending_role_requests().filter(user=account)
    ]
    if waiting:
        messages.info(
            request,
            _("Waiting for a second administrator to grant: {roles}.").format(
                roles=", ".join(waiting)
            ),
        )


@administrators_only
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = NewUserAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.create_user_account(
                actor=request.user, request=request, **form.changes()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Account {username} created.").format(username=account.username)
            )
            _say_what_waits(request, account)
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "account": None})


@administrators_only
@require_http_methods(["GET", "POST"])
def user_edit(request, pk: int):
    account = access.get_user_for_admin(request.user, pk, for_change=True)
    if request.method == "POST":
        form = UserAccountForm(request.POST)  # the service compares against the stored record
        if form.is_valid():
            if perform_on_form(
                form,
                lambda: services.update_user_account(
                    account,
                    actor=request.user,
                    request=request,
                    expected_version=form.cleaned_data.get("version") or 0,
                    **form.changes(),
                ),
            ):
                messages.success(
                    request, _("Changes to {username} saved.").format(username=account.username)
                )
                _say_what_waits(request, account)
                return redirect("accounts:user_list")
    else:
        form = UserAccountForm(
            instance=account,
            initial={
                "version": account.version,
                "roles": list(account.groups.values_list("name", flat=True)),
            },
        )
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "account": account,
            "mfa_device": services.confirmed_totp_device(account),
        },
    )


@administrators_only
@require_POST
def user_mfa_reset(request, pk: int):
    account = access.get_user_for_admin(request.user, pk, for_change=True)
    services.reset_mfa(account, actor=request.user, request=request)
    messages.success(
        request,
        _(
            "Two-factor authentication of {username} was reset: they set "
            "it up again at their next sign-in."
        ).format(username=account.username),
    )
    return redirect("accounts:user_edit", account.pk)
