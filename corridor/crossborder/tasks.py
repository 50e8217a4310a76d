"""Periodic work of the transnational referral: the outbox is swept every minute."""

from datetime import timedelta

from corridor.crossborder.outbox import deliver_outbox
from corridor.jobs.registry import every

every(timedelta(minutes=1), deliver_outbox)
