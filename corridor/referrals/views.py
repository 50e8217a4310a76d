from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import access
from corridor.core.concurrency import ConcurrentEdit
from corridor.referrals import services
from corridor.referrals.forms import DeclineForm, ReferralForm


@login_required
def referral_list(request):
    referrals = access.referrals_visible_to(request.user).select_related(
        "case", "from_agency", "to_agency"
    )
    page = Paginator(referrals.order_by("-created_at"), 50).get_page(request.GET.get("page"))
    return render(request, "referrals/list.html", {"page": page})


@login_required
def referral_detail(request, reference):
    referral = access.get_referral_for_user(request.user, reference)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "can_respond": access.can_respond_to_referral(request.user, referral),
            "decline_form": DeclineForm(),
        },
    )


@login_required
@require_POST
def referral_create(request, case_reference):
    case = access.get_case_for_user(request.user, case_reference, for_change=True)
    form = ReferralForm(request.POST, user=request.user)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errors)}",
            )
        return redirect("cases:detail", case.reference)
    try:
        referral = services.refer_case(
            case, actor=request.user, request=request, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:detail", case.reference)
    messages.success(
        request,
        _("Referral {reference} sent to {agency}.").format(
            reference=referral.reference, agency=referral.to_agency
        ),
    )
    return redirect("referrals:detail", referral.reference)


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
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("Referral {reference} is now {status}.").format(
                reference=referral.reference, status=referral.get_status_display()
            ),
        )
    return redirect("referrals:detail", referral.reference)
