from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import access
from corridor.core.forms import perform_with_message
from corridor.core.paging import CappedPaginator
from corridor.linkage import services, tasks
from corridor.linkage.forms import DecisionForm
from corridor.linkage.likeness import reason_label

PAGE_SIZE = 25


def _reasons(candidate) -> list[dict]:
    return [
        {
            "label": reason_label(r["field"], r["level"]),
            "weight": r["weight"],
            "agrees": r["weight"] > 0,
        }
        for r in candidate.reasons
    ]


@login_required
def queue(request):
    if not services.can_review_matches(request.user):
        raise PermissionDenied
    page = CappedPaginator(services.review_queue(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for candidate in page.object_list:
        candidate.reason_list = _reasons(candidate)
    services.view_candidates(list(page.object_list), actor=request.user, request=request)
    return render(request, "linkage/queue.html", {"page": page})


@login_required
def pair(request, pk):
    candidate = services.get_candidate_for_user(request.user, pk)
    services.view_candidates([candidate], actor=request.user, request=request)
    return render(
        request,
        "linkage/pair.html",
        {
            "candidate": candidate,
            "pair_persons": [candidate.left, candidate.right],
            "reasons": _reasons(candidate),
            "form": DecisionForm(initial={"version": candidate.version}),
        },
    )


@login_required
@require_POST
def decide(request, pk):
    candidate = services.get_candidate_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the two records are one person."))
        return redirect("linkage:pair", pk)
    decision = (
        services.confirm_match if form.cleaned_data["decision"] == "same" else services.reject_match
    )
    if perform_with_message(
        request,
        lambda: decision(
            candidate,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
    ):
        if form.cleaned_data["decision"] == "same":
            messages.success(
                request,
                _("{left} and {right} are now linked as one person.").format(
                    left=candidate.left.reference, right=candidate.right.reference
                ),
            )
        else:
            messages.success(request, _("Marked as two different persons."))
        return redirect("linkage:queue")
    return redirect("linkage:pair", pk)


@login_required
@require_POST
def unlink(request, reference):
    person = access.get_person_for_user(request.user, reference)
    if perform_with_message(
        request, lambda: services.unlink_person(person, actor=request.user, request=request)
    ):
        messages.success(
            request,
            _("{reference} is no longer linked to other records.").format(
                reference=person.reference
            ),
        )
    return redirect("people:detail", person.reference)


@login_required
@require_POST
def start_run(request):
    job = tasks.start_linkage_run(actor=request.user)
    messages.info(request, _("Every record is being checked; the new pairs will join the queue."))
    return redirect("jobs:detail", job.pk)
