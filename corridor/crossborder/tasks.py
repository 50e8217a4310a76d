"""Periodic work of the transnational referral: the outbox is swept every minute, and the
record-linkage exchanges that did not finish are stopped."""

from datetime import timedelta

from corridor.crossborder.outbox import deliver_outbox
from corridor.crossborder.pprl_exchange import stop_stale_pprl_exchanges
from corridor.jobs.registry import every

every(timedelta(minutes=1), deliver_outbox)
every(timedelta(minutes=30), stop_stale_pprl_exchanges)
