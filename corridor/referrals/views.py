from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts import access
from corridor.accounts.models import Role
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.forms import apply_validation_error, messages_of, perform_on_form
from corridor.core.paging import CappedPaginator
from corridor.people.services import view_person_list
from corridor.referrals import services
from corridor.referrals.forms import (
    CapacityForm,
    DeclineForm,
    DeliveryForm,
    DirectoryFilterForm,
    QueueFilterForm,
    ReferralForm,
    ServiceOfferForm,
    WithdrawForm,
)
from corridor.referrals.models import Referral

PAGE_SIZE = 50


def case_referrals_context(user, case) -> dict:
    """What `referrals/_case_referrals.html` needs on a case page: `referrals`, `referral_form`."""
    referrals = (
        access.referrals_visible_to(user)
        .filter(case=case)
        .select_related("from_agency", "to_agency", "offer", "consent")
        .order_by("-created_at")
    )
    can_refer = access.can_change_case(user, case)
    return {
        "referrals": referrals,
        "referral_form": ReferralForm(user=user, case=case) if can_refer else None,
    }


# --- referrals --------------------------------------------------------------------------------


@login_required
def referral_list(request):
    referrals = access.referrals_visible_to(request.user).select_related(
        "case__person", "from_agency", "to_agency", "offer"
    )
    status = request.GET.get("status")
    if status in Referral.Status.values:
        referrals = referrals.filter(status=status)
    direction = request.GET.get("direction")
    if direction == "sent":
        referrals = referrals.filter(from_agency_id=request.user.agency_id)
    elif direction == "received":
        referrals = referrals.filter(to_agency_id=request.user.agency_id)
    page = CappedPaginator(referrals.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    view_person_list([r.case.person for r in page], actor=request.user, request=request)
    return render(
        request,
        "referrals/list.html",
        {
            "page": page,
            "statuses": Referral.Status.choices,
            "status": status,
            "direction": direction,
        },
    )


@login_required
def referral_detail(request, reference):
    referral = access.get_referral_for_user(request.user, reference)
    services.view_referral(referral, actor=request.user, request=request)
    can_respond = access.can_respond_to_referral(request.user, referral)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "note_hidden": access.referral_note_hidden(request.user, referral),
            "deliveries": referral.deliveries.select_related("recorded_by"),
            "can_respond": can_respond,
            "can_withdraw": access.can_withdraw_referral(request.user, referral)
            and referral.status in Referral.OPEN,
            "decline_form": DeclineForm(),
            "withdraw_form": WithdrawForm(),
            "delivery_form": DeliveryForm(
                initial={
                    "service_type": referral.service_type,
                    "delivered_on": timezone.localdate(),
                }
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request, case_reference):
    case = access.get_case_for_user(request.user, case_reference, for_change=True)
    form = ReferralForm(request.POST or None, user=request.user, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.refer_case(
                case, actor=request.user, request=request, **form.referral_arguments()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("Referral {reference} sent to {agency}.").format(
                    reference=referral.reference, agency=referral.to_agency
                ),
            )
            return redirect("referrals:detail", referral.reference)
    return render(request, "referrals/create.html", {"case": case, "form": form})


@login_required
@require_POST
def referral_answer(request, reference, answer):
    referral = access.get_referral_for_user(request.user, reference, for_change=True)
    version = int(request.POST.get("version") or 0)
    try:
        if answer == "accept":
            services.accept_referral(
                referral, actor=request.user, expected_version=version, request=request
            )
        elif answer == "decline":
            services.decline_referral(
                referral,
                actor=request.user,
                expected_version=version,
                reason=request.POST.get("reason", ""),
                request=request,
            )
        else:
            services.complete_referral(
                referral, actor=request.user, expected_version=version, request=request
            )
    except (ConcurrentEdit, ValidationError) as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(
            request,
            _("Referral {reference} is now {status}.").format(
                reference=referral.reference, status=referral.get_status_display().lower()
            ),
        )
    return redirect("referrals:detail", referral.reference)


@login_required
@require_POST
def referral_withdraw(request, reference):
    referral = access.get_referral_for_user(request.user, reference)
    if not access.can_withdraw_referral(request.user, referral):
        raise PermissionDenied
    try:
        services.withdraw_referral(
            referral,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            expected_version=int(request.POST.get("version") or 0),
            request=request,
        )
    except (ConcurrentEdit, ValidationError) as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(
            request,
            _("Referral {reference} withdrawn.").format(reference=referral.reference),
        )
    return redirect("referrals:detail", referral.reference)


@login_required
@require_POST
def delivery_create(request, reference):
    referral = access.get_referral_for_user(request.user, reference, for_change=True)
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}")
        return redirect("referrals:detail", referral.reference)
    try:
        services.record_service_delivery(
            referral, actor=request.user, request=request, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(request, _("Service recorded."))
    return redirect("referrals:detail", referral.reference)


# --- the coordinator's queue ------------------------------------------------------------------


@login_required
def queue(request):
    if not (request.user.agency_id and request.user.has_role(Role.COORDINATOR)):
        raise PermissionDenied
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    kind = filters.get("kind")
    waiting = services.waiting_for(
        request.user,
        kinds=[kind] if kind else None,
        service_type=filters.get("service_type") or None,
        to_agency=filters.get("to_agency"),
        mine=bool(filters.get("mine")),
    )
    page = CappedPaginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    view_person_list([item.case.person for item in page], actor=request.user, request=request)
    return render(
        request,
        "referrals/queue.html",
        {
            "form": form,
            "page": page,
            "response_hours": settings.CORRIDOR_REFERRAL_RESPONSE_HOURS,
        },
    )


# --- the service directory --------------------------------------------------------------------


@login_required
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    offers = access.offers_visible_to(request.user).select_related("agency")
    if request.GET.get("inactive") != "1":
        offers = offers.filter(is_active=True)
    if form.is_valid():
        offers = services.filter_offers(offers, **form.cleaned_data)
    page = Paginator(services.full_last(offers), PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    for offer in page.object_list:
        offer.manageable = access.can_manage_offer(user, offer)
    return render(
        request,
        "referrals/directory.html",
        {
            "form": form,
            "page": page,
            "can_add": user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR)
            or (user.agency_id and user.has_role(Role.SERVICE_PROVIDER)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request):
    user = request.user
    if not (
        user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR)
        or (user.agency_id and user.has_role(Role.SERVICE_PROVIDER))
    ):
        raise PermissionDenied
    form = ServiceOfferForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.create_offer(
                actor=user,
                agency=form.cleaned_data["agency"],
                request=request,
                **form.offer_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("{name} is listed in the directory.").format(name=offer.name)
            )
            return redirect("referrals:directory")
    return render(request, "referrals/offer_form.html", {"form": form, "offer": None})


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request, pk):
    offer = access.get_offer_for_user(request.user, pk, for_change=True)
    form = ServiceOfferForm(request.POST or None, user=request.user, offer=offer)
    if request.method == "POST" and form.is_valid():
        if perform_on_form(
            form,
            lambda: services.update_offer(
                offer,
                actor=request.user,
                expected_version=form.cleaned_data.get("version") or 0,
                request=request,
                **form.offer_fields(),
            ),
        ):
            messages.success(request, _("Changes saved."))
            return redirect("referrals:directory")
    return render(request, "referrals/offer_form.html", {"form": form, "offer": offer})


@login_required
@require_POST
def offer_capacity(request, pk):
    offer = access.get_offer_for_user(request.user, pk, for_change=True)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}".strip(": "))
        return redirect("referrals:directory")
    try:
        services.publish_capacity(
            offer,
            actor=request.user,
            free_places=form.cleaned_data["free_places"],
            total_places=form.cleaned_data.get("total_places"),
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except (ConcurrentEdit, ValidationError) as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(
            request,
            _("{name}: {free} of {total} places free.").format(
                name=offer.name, free=offer.free_places, total=offer.total_places
            ),
        )
    return redirect("referrals:directory")
