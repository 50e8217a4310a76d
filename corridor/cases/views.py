from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import access
from corridor.cases import services
from corridor.cases.models import ProtectionCase
from corridor.core.concurrency import ConcurrentEdit
from corridor.referrals.forms import ReferralForm


@login_required
def case_list(request):
    cases = access.cases_visible_to(request.user).select_related("person", "owner_agency")
    status = request.GET.get("status")
    if status in ProtectionCase.Status.values:
        cases = cases.filter(status=status)
    page = Paginator(cases.order_by("-opened_at"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "statuses": ProtectionCase.Status.choices,
            "status": status,
        },
    )


@login_required
def case_detail(request, reference):
    case = access.get_case_for_user(request.user, reference)
    services.view_case(case, actor=request.user, request=request)
    can_change = access.can_change_case(request.user, case)
    referrals = (
        access.referrals_visible_to(request.user)
        .filter(case=case)
        .select_related("from_agency", "to_agency")
    )
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "referrals": referrals,
            "can_change": can_change,
            "statuses": ProtectionCase.Status.choices,
            "referral_form": ReferralForm(user=request.user) if can_change else None,
        },
    )


@login_required
@require_POST
def case_open(request, person_reference):
    person = access.get_person_for_user(request.user, person_reference, for_change=True)
    case = services.open_case(person, actor=request.user, request=request)
    messages.success(
        request, _("Protection case {reference} opened.").format(reference=case.reference)
    )
    return redirect("cases:detail", case.reference)


@login_required
@require_POST
def case_status(request, reference):
    case = access.get_case_for_user(request.user, reference, for_change=True)
    try:
        services.change_case_status(
            case,
            actor=request.user,
            request=request,
            status=request.POST.get("status", ""),
            expected_version=int(request.POST.get("version") or 0),
            note=request.POST.get("note", ""),
        )
    except ConcurrentEdit as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Stage changed to {status}.").format(status=case.get_status_display())
        )
    return redirect("cases:detail", case.reference)
