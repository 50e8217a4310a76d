"""Tell coordinators, once, about each referral left unanswered too long. Run it from cron:

    */15 * * * *  corridor referrals_overdue

A referral is overdue when it is still "sent" CORRIDOR_REFERRAL_RESPONSE_HOURS after it was
sent (and the consent it relies on stands). Each one is notified once: the command marks it
(`overdue_notified_at`), so running it again, or twice at once, tells nobody twice.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from corridor.referrals.services import notify_overdue_referrals


class Command(BaseCommand):
    help = "Notify coordinators of referrals newly overdue for an answer (once each)."

    def handle(self, *args, **options):
        hours = settings.CORRIDOR_REFERRAL_RESPONSE_HOURS
        self.stdout.write(f"Looking for referrals unanswered for {hours} hours or more…")
        notified = notify_overdue_referrals(log=lambda line: self.stdout.write(f"  {line}"))
        if notified:
            self.stdout.write(self.style.SUCCESS(f"{len(notified)} overdue referral(s) notified."))
        else:
            self.stdout.write("No newly overdue referral.")
