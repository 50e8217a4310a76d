"""Periodic work on referrals."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from corridor.jobs.registry import background_job, every
from corridor.jobs.runner import JobRun
from corridor.referrals.services import notify_overdue_referrals


@background_job(title=_("Bring overdue referrals back to the coordinators"))
def referrals_overdue(run: JobRun) -> dict:
    return {"notified": [referral.reference for referral in notify_overdue_referrals()]}


every(timedelta(minutes=5), referrals_overdue)
