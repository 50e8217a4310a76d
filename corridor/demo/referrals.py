"""The referrals of the synthetic data set: a case's referrals with their times, the
providers chosen from the service directory, the service deliveries, and the consent the
referrals rely on (`refer_case`'s consent, `record_service_delivery`'s deliveries).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from corridor.demo.directory import OfferSpec
from corridor.demo.records import CaseRecord, ConsentRecord, DeliveryRecord, ReferralRecord, Subject
from corridor.demo.referrals_data import (
    CATEGORY_ORDER,
    CHILD_DECLINE,
    CLOSED_WITHDRAWAL,
    DECLINE_REASONS,
    DELIVERY_NOTES,
    FULL_DECLINE,
    GENERAL_DECLINES,
    NOTES,
    OPEN,
    PURPOSE_ORDER,
    REFERRAL_COUNT,
    REFERRAL_MIX,
    REVOCATION_REASONS,
    REVOKED_WITHDRAWAL,
    SERVICE_SECTORS,
    SERVING,
    SHARED,
    WITHDRAW_REASONS,
)
from corridor.demo.sampling import DAY, HOUR


class ReferralGenerator:
    """The part of `SyntheticGenerator` that refers a case to services and records the
    consent. It draws on the state `SyntheticGenerator.__init__` sets up."""

    def _referrals(self, subject, case, case_index, stages, at, end, *, force):
        rng = self.rng
        victim = subject.victim
        effective = case.closed_from or case.status
        if effective == "identified" or "presumed_victim" not in at:
            return []
        low, high = REFERRAL_COUNT[case.status]
        n = rng.randint(low, high)
        statuses = None
        if force:  # the covering victims show every referral status
            statuses = {
                "presumed_victim": ["sent"],
                "referred": ["sent", "declined"],
                "assisted": ["in_progress", "accepted", "completed"],
                "closed": ["completed", "withdrawn"],
            }.get(case.status)
        if statuses is None:
            statuses = [REFERRAL_MIX[effective].pick(rng) for _ in range(n)] if n else []
        closing = {}
        if case.status == "closed" and not force:
            for i, s in enumerate(statuses):
                if s == "in_progress":
                    statuses[i] = "completed"
                elif s in ("sent", "accepted"):
                    statuses[i] = "withdrawn"
                    closing[i] = s
        if "assisted" in at and statuses and statuses[0] not in SERVING:
            swap = next((i for i, s in enumerate(statuses) if s in SERVING), None)
            if swap is None:
                statuses[0] = "completed" if case.status == "closed" else "in_progress"
                closing.pop(0, None)
            else:
                statuses[0], statuses[swap] = statuses[swap], statuses[0]
                closing[0], closing[swap] = closing.get(swap), closing.get(0)
        minor = subject.child_at(at["presumed_victim"])
        services = self._services(effective, minor, case.kind, len(statuses))
        if "assisted" in at and services[:1] == ["investigation"] and len(services) > 1:
            # assistance starts with a service to the person, not with a statement
            services[0], services[1] = services[1], services[0]
        start = at.get("referred", at["presumed_victim"])
        assisted = at.get("assisted")
        overdue_first = force and case.status == "referred"
        made = []
        for i, (service, ref_status) in enumerate(zip(services, statuses, strict=False)):
            if i == 0:
                created = start
            elif ref_status == "sent":
                # Unanswered: most for longer than the 48 hours a provider has to reply.
                overdue = overdue_first or rng.random() < 0.65
                ago = rng.randint(49 * HOUR, 12 * DAY) if overdue else rng.randint(HOUR, 40 * HOUR)
                created = max(self.as_of - timedelta(seconds=ago), start)
            else:
                created = start + timedelta(
                    seconds=int((end - start).total_seconds() * 0.6 * rng.random())
                )
            if ref_status == "sent" and i == 0 and overdue_first:
                created = min(created, self.as_of - timedelta(seconds=50 * HOUR))
                created = max(created, case.opened_at)
            overdue_first = overdue_first and ref_status != "sent"
            child = subject.child_at(created)
            to_agency, offer = self._provider(service, subject, case.owner, created, child)
            referral = ReferralRecord(
                self.refs.new("R"),
                case_index,
                case.owner,
                to_agency,
                service,
                ref_status,
                NOTES[service],
                "",
                created,
                None,
                None,
                offer=offer.name if offer else None,
                shared_categories=list(SHARED[service]),
            )
            self._referral_times(referral, end, assisted if i == 0 else None, closing.get(i), case)
            if ref_status == "declined":
                referral.decline_reason = self._decline_reason(service, offer, child)
            if (
                ref_status == "sent"
                and created <= self.as_of - timedelta(hours=48)
                and created + timedelta(hours=49) <= self.as_of
            ):
                referral.overdue_notified_at = created + timedelta(
                    seconds=48 * HOUR + rng.randint(60, HOUR)
                )
            self._deliveries(referral, end)
            victim.referrals.append(referral)
            made.append(referral)
        return made

    def _referral_times(self, referral, end, assisted, closing, case) -> None:
        rng = self.rng
        status = referral.status
        created = referral.created_at
        room = max((end - created).total_seconds(), 60)
        if status in ("accepted", "declined", "in_progress", "completed") or closing == "accepted":
            if assisted is not None:
                wait = min(
                    rng.uniform(2 * HOUR, 72 * HOUR), (assisted - created).total_seconds() * 0.5
                )
            else:
                wait = min(rng.uniform(2 * HOUR, 72 * HOUR), room * 0.3)
            referral.responded_at = created + timedelta(seconds=int(wait))
        if status in SERVING:
            if assisted is not None:
                referral.started_at = assisted
            else:
                after = max((end - referral.responded_at).total_seconds(), 60)
                referral.started_at = referral.responded_at + timedelta(
                    seconds=int(min(rng.uniform(HOUR, 10 * DAY), after * 0.3))
                )
        if status == "completed":
            after = max((end - referral.started_at).total_seconds(), 60)
            referral.completed_at = referral.started_at + timedelta(
                seconds=int(after * rng.uniform(0.1, 0.9))
            )
        if status == "withdrawn":
            if closing:
                referral.withdrawn_at = case.closed_at
                referral.withdraw_reason = CLOSED_WITHDRAWAL
            else:
                referral.withdrawn_at = created + timedelta(
                    seconds=int(room * rng.uniform(0.05, 0.5))
                )
                referral.withdraw_reason = rng.choice(WITHDRAW_REASONS)

    def _deliveries(self, referral: ReferralRecord, end: datetime) -> None:
        if referral.started_at is None:
            return
        rng = self.rng
        last = referral.completed_at or referral.withdrawn_at or end
        notes = DELIVERY_NOTES[referral.service_type]
        count = rng.randint(1, 3 if referral.status == "completed" else 2)
        moments = [referral.started_at]
        span = max((last - referral.started_at).total_seconds(), 0)
        for _ in range(count - 1):
            moments.append(referral.started_at + timedelta(seconds=int(span * rng.random())))
        moments.sort()
        for i, moment in enumerate(moments):
            referral.deliveries.append(
                DeliveryRecord(
                    referral.service_type,
                    moment.date(),
                    notes[i] if i < len(notes) else rng.choice(notes),
                    moment,
                )
            )

    def _decline_reason(self, service: str, offer: OfferSpec | None, child: bool) -> str:
        rng = self.rng
        if offer is not None and offer.is_full:
            return FULL_DECLINE
        if (
            child
            and service not in ("child_protection", "medical", "shelter")
            and rng.random() < 0.3
        ):
            return CHILD_DECLINE
        return rng.choice(DECLINE_REASONS.get(service, []) + GENERAL_DECLINES)

    def _consent(self, subject: Subject, case: CaseRecord, referrals, at) -> None:
        """The consent the case's referrals rely on, given before the first one was sent;
        a few are revoked later, and the referrals still open are then withdrawn."""
        if not referrals:
            return
        rng = self.rng
        first = min(r.created_at for r in referrals)
        presumed = at["presumed_victim"]
        lead = min(rng.uniform(600, 12 * HOUR), max((first - presumed).total_seconds(), 0))
        given = first - timedelta(seconds=int(lead))
        purposes = {"assistance"}
        categories = set()
        sectors: list[str] = []
        agencies: list[str] = []
        countries: list[str] = []
        for r in referrals:
            categories.update(r.shared_categories)
            agency = self.by_name[r.to_agency]
            if r.service_type == "investigation":
                purposes.add("criminal_proceedings")
                if agency.name not in agencies:
                    agencies.append(agency.name)
            elif agency.country != self.country:
                if agency.name not in agencies:
                    agencies.append(agency.name)
                if agency.country not in countries:
                    countries.append(agency.country)
            elif agency.sector not in sectors:
                sectors.append(agency.sector)
            if r.service_type == "return_reintegration":
                purposes.add("return_reintegration")
            if r.service_type == "family_tracing":
                purposes.add("family_tracing")
        if rng.random() < 0.3:
            categories.add(rng.choice(CATEGORY_ORDER))
        if rng.random() < 0.2:
            purposes.add("information_for_protection")
        language = subject.languages[0] if subject.languages else ""
        consent = ConsentRecord(
            purposes=[p for p in PURPOSE_ORDER if p in purposes],
            data_categories=[c for c in CATEGORY_ORDER if c in categories],
            recipient_agencies=agencies,
            recipient_sectors=sectors,
            recipient_countries=countries,
            method="guardian"
            if subject.child_at(given)
            else ("written" if rng.random() < 0.7 else "verbal"),
            interpreter_language=language
            if language and language != self.local_language and rng.random() < 0.7
            else "",
            given_at=given,
        )
        case.consent = consent
        end = case.closed_at or self.as_of
        if rng.random() < 0.03:
            last = max(
                moment
                for r in referrals
                for moment in (
                    r.created_at,
                    r.responded_at,
                    r.started_at,
                    r.completed_at,
                    r.withdrawn_at,
                )
                if moment is not None
            )
            last = max([last] + [d.recorded_at for r in referrals for d in r.deliveries])
            room = (end - last).total_seconds()
            if room > 2 * HOUR:
                revoked = last + timedelta(seconds=int(room * rng.uniform(0.1, 0.9)))
                consent.revoked_at = revoked
                consent.revocation_reason = rng.choice(REVOCATION_REASONS)
                for r in referrals:
                    if r.status in OPEN:  # withdraw_referrals_for_revoked_consent
                        r.status = "withdrawn"
                        r.withdrawn_at = revoked
                        r.withdraw_reason = REVOKED_WITHDRAWAL

    def _services(self, status: str, minor: bool, kind: str, n: int) -> list[str]:
        rng = self.rng
        first = []
        if status == "return_reintegration":
            first.append("return_reintegration")
        if status == "local_integration":
            first.append("education_livelihood")
        if minor:
            first.append("child_protection")
        pool = (
            [
                "shelter",
                "medical",
                "mhpss",
                "legal_aid",
                "interpretation",
                "documentation",
                "investigation",
            ]
            if kind == "trafficking"
            else ["medical", "legal_aid", "interpretation", "shelter", "documentation"]
        )
        if minor:
            pool.append("family_tracing")
        if status in ("long_term_support", "local_integration"):
            pool.append("education_livelihood")
        rest = [s for s in pool if s not in first]
        rng.shuffle(rest)
        return (first + rest)[:n]

    def _provider(
        self, service: str, subject: Subject, sender: str, when: datetime, child: bool
    ) -> tuple[str, OfferSpec | None]:
        """The agency to refer to and, where it lists one the person is eligible for, the
        offer. Shelters are chosen by their offers: women, men and children each have theirs."""
        rng = self.rng
        if service == "return_reintegration" and rng.random() < 0.5:
            origin = subject.victim.narrative.removeprefix("Approached in ").split(" by ", 1)[0]
            foreign = self._foreign(
                subject.nationality, origin, "international", "anti_trafficking"
            )
            if foreign and subject.nationality != self.country:
                return foreign, None
        sex, age = subject.victim.sex, subject.age_at(when)
        if service == "investigation" and rng.random() < 0.3:
            # some go straight to the prosecutors, who list no offer
            return self._local("prosecution", "police"), None
        eligible = [
            o
            for o in self.offers_by_service.get(service, [])
            if o.agency != sender and o.takes(sex=sex, age=age, child=child)
        ]
        if eligible and (service == "shelter" or rng.random() < 0.85):
            # mostly a provider listed in the directory for this service and this person
            weights = [self.provider_weight(self.by_name[o.agency]) for o in eligible]
            offer = rng.choices(eligible, weights)[0]
            return offer.agency, offer
        provider = sender
        for _ in range(3):  # an agency does not refer to itself
            provider = self._local(*SERVICE_SECTORS[service])
            if provider != sender:
                break
        listed = [
            o
            for o in self.offers_by_agency.get((provider, service), [])
            if o.takes(sex=sex, age=age, child=child)
        ]
        return provider, (listed[0] if listed else None)
