from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from corridor.notifications import services
from corridor.notifications.models import Notification


@login_required
def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user)[:100]
    return render(request, "notifications/list.html", {"notifications": notes})


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark read and follow the link: the one place a notification leads somewhere."""
    note = Notification.objects.filter(recipient=request.user, pk=pk).first()
    services.mark_read(request.user, notification_id=pk)
    target = note.url if note else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    services.mark_read(request.user)
    return redirect("notifications:list")
