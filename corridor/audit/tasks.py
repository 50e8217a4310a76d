"""Events left waiting are sealed into the audit chain every minute, and the chain's head is
anchored outside the database every quarter of an hour."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from corridor.audit.anchors import anchor_head
from corridor.audit.services import chain_all
from corridor.jobs.registry import background_job, every
from corridor.jobs.runner import JobRun


@background_job(title=_("Anchor the audit trail outside the database"))
def anchor_audit_trail(run: JobRun) -> dict:
    anchored = anchor_head()
    return {"count": anchored["count"]} if anchored else {}


every(timedelta(minutes=15), anchor_audit_trail)


@background_job(title=_("Seal waiting events into the audit chain"))
def chain_audit_trail(run: JobRun) -> dict:
    return {"sealed": chain_all()}


every(timedelta(minutes=1), chain_audit_trail)
