"""The protection cases of the synthetic data set: a case's stages, what its screenings
found, and its history, with the rules of `corridor.cases.services`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from corridor.demo.cases_data import (
    CLOSED_FROM,
    CLOSURE,
    CLOSURE_OTHER_NOTES,
    COOPERATION_AFTER,
    EXTENSION_REASONS,
    NEEDS_NOTES,
    OFFENCE_DECISION,
    OFFENCE_SHARE,
    OFFENCES,
    PATHS_TO,
    REVIEW_OUTCOMES,
    REVIEW_TOPICS,
    RISK_REASONS,
    STAGE_GAPS,
    STAGE_NOTES,
)
from corridor.demo.records import (
    CaseRecord,
    EventRecord,
    ExtensionRecord,
    NeedsRecord,
    OffenceRecord,
    ReviewRecord,
    Subject,
)
from corridor.demo.sampling import DAY, HOUR


class CaseGenerator:
    """The part of `SyntheticGenerator` that opens a protection case and writes its history.
    It draws on the state `SyntheticGenerator.__init__` sets up."""

    def _case(
        self,
        subject: Subject,
        kind: str,
        status: str,
        opened_at: datetime,
        *,
        until: datetime,
        force: bool,
    ) -> None:
        rng = self.rng
        victim = subject.victim
        form = subject.form
        minor = subject.child_at(opened_at)
        roll = rng.random()
        if subject.owner not in self.local_names:
            owner = self.coordination  # received from a partner country: the NRM opens it
        elif roll < 0.55 or (force and subject.owner == self.responder):
            owner = subject.owner
        elif roll < 0.85:
            owner = self.coordination
        else:
            owner = self._local("shelter", "ngo")
        if kind == "smuggling":
            forms = []
        elif status == "identified" and rng.random() < 0.3:
            forms = ["unknown"]
        else:
            forms = [form]
            if rng.random() < 0.12:
                extra = rng.choice(["sexual", "forced_labour", "domestic_servitude"])
                if extra != form:
                    forms.append(extra)
        risk = (
            "high"
            if minor or form == "sexual" and rng.random() < 0.6
            else rng.choice(["low", "medium", "medium"])
        )
        closed_from = ""
        if status == "closed":
            closed_from = "return_reintegration" if force else CLOSED_FROM.pick(rng)
        stages = PATHS_TO[closed_from or status](rng) + (["closed"] if closed_from else [])
        plan = self._plan(kind, stages, owner)
        immediate = plan[-1] == "moved" and plan[0] != "possible"
        times = self._stage_times(stages, opened_at, until, moved=immediate)
        at = dict(zip(stages, times, strict=True))
        closed_at = at.get("closed")
        case_index = len(victim.cases)
        case = CaseRecord(
            self.refs.new("C"),
            owner,
            kind,
            status,
            forms,
            risk,
            opened_at,
            closed_at,
            closed_from=closed_from,
        )
        victim.cases.append(case)
        end = closed_at or until
        self._screenings(subject, case, case_index, plan, at)
        referrals = self._referrals(subject, case, case_index, stages, at, end, force=force)
        self._consent(subject, case, referrals, at)
        self._history(subject, case, case_index, stages, at, plan, referrals, end)

    def _plan(self, kind: str, stages: list[str], owner: str) -> tuple[str, ...]:
        """What the screenings found and how the case reached presumed-victim status.

        The last word says how: "moved" (a coordinator's screening confirmed it at once),
        "proposed" (a responder proposed it; a coordinator confirmed later), "confirmed"
        (confirmed after an interview), "" (not reached)."""
        rng = self.rng
        coordinator = owner == self.coordination
        if kind == "smuggling":
            return ("smuggled", "confirmed" if "presumed_victim" in stages else "")
        if "presumed_victim" not in stages:
            if coordinator or rng.random() < 0.6:
                return ("possible", "")
            return ("presumed", "proposed")
        roll = rng.random()
        how = "moved" if coordinator else "proposed"
        if roll < 0.65:
            return ("presumed", how)
        if roll < 0.87:
            return ("possible", "presumed", "moved")
        return ("nothing", "presumed", how)

    def _stage_times(self, stages, opened_at: datetime, until: datetime, *, moved: bool):
        rng = self.rng
        offsets, total = [0.0], 0.0
        for stage in stages[1:]:
            if stage == "presumed_victim" and moved:
                gap = 1.0
            else:
                low, high = STAGE_GAPS[stage]
                gap = rng.uniform(low, high) * DAY
            total += gap
            offsets.append(total)
        span = max((until - opened_at).total_seconds() - 60, 0)
        if total > span * 0.95:
            factor = span * rng.uniform(0.6, 0.95) / total if total else 0
            offsets = [o * factor for o in offsets]
        times, previous = [], None
        for o in offsets:
            moment = opened_at + timedelta(seconds=int(o))
            if previous is not None and moment <= previous:
                moment = previous + timedelta(seconds=1)
            times.append(moment)
            previous = moment
        return times

    # -- the case's history --

    def _history(self, subject, case: CaseRecord, case_index, stages, at, plan, referrals, end):
        """Events, reflection period, principles, risk, needs, reviews and offences, in the
        order and with the rules of corridor.cases.services."""
        rng = self.rng
        events = case.events
        opened = case.opened_at
        events.append(EventRecord("opened", opened, to_value="identified"))
        screenings = [s for s in subject.victim.screenings if s.case == case_index]
        first_screening = next((s for s in screenings if s.case_opened), None)
        if plan[-1] == "proposed" and first_screening is not None:
            events.append(
                EventRecord(
                    "proposal",
                    opened + timedelta(seconds=1),
                    from_value="identified",
                    to_value="presumed_victim",
                    note=f"Screening {first_screening.reference}: presumed victim of trafficking.",
                )
            )
        serving = referrals[0] if referrals and referrals[0].started_at else None
        previous = "identified"
        for stage in stages[1:]:
            moment = at[stage]
            note, reason = STAGE_NOTES.get(stage, ""), ""
            if stage == "presumed_victim" and plan[-1] == "moved":
                screening = next((s for s in screenings if s.case_effect == "moved"), None)
                if screening is not None:
                    note = f"Screening {screening.reference}: presumed victim of trafficking."
            if stage == "presumed_victim" and case.kind == "smuggling":
                note = (
                    "Vulnerability confirmed: assistance through the national referral mechanism."
                )
            if stage == "assisted" and serving is not None and serving.started_at == moment:
                note = f"First service delivered under referral {serving.reference}."
            if stage == "closed":
                reason = CLOSURE[case.closed_from].pick(rng)
                note = rng.choice(CLOSURE_OTHER_NOTES) if reason == "other" else ""
                case.closure_reason = reason
            events.append(
                EventRecord(
                    "status", moment, from_value=previous, to_value=stage, reason=reason, note=note
                )
            )
            previous = stage
        presumed = at.get("presumed_victim")
        if presumed is not None:
            self._reflection(case, presumed, end)
            self._principles(case, presumed, end)
            self._needs(subject, case, presumed, at, referrals, end)
            self._offences(subject, case, presumed, end)
        self._risk(case, presumed, end)
        self._reviews(case, at, end)
        events.sort(key=lambda e: e.at)

    def _reflection(self, case: CaseRecord, presumed: datetime, end: datetime) -> None:
        rng = self.rng
        starts = presumed.date()
        ends = starts + timedelta(days=self.reflection_days - 1)
        case.reflection_starts_on, case.reflection_ends_on = starts, ends
        case.events.append(
            EventRecord(
                "reflection", presumed + timedelta(seconds=1), starts.isoformat(), ends.isoformat()
            )
        )
        latest = min(end, datetime.combine(ends, time(12), tzinfo=presumed.tzinfo))
        earliest = presumed + timedelta(days=15)
        if rng.random() < 0.12 and earliest < latest:
            extended_at = earliest + timedelta(
                seconds=int((latest - earliest).total_seconds() * rng.random())
            )
            new_end = ends + timedelta(days=rng.choice([30, 30, 60]))
            reason = rng.choice(EXTENSION_REASONS)
            case.extensions.append(ExtensionRecord(ends, new_end, reason, extended_at))
            case.events.append(
                EventRecord(
                    "extension", extended_at, ends.isoformat(), new_end.isoformat(), note=reason
                )
            )
            case.reflection_ends_on = new_end

    def _principles(self, case: CaseRecord, presumed: datetime, end: datetime) -> None:
        rng = self.rng
        room = max((end - presumed).total_seconds(), 2)
        if rng.random() < 0.88:
            attested = presumed + timedelta(
                seconds=int(min(rng.uniform(HOUR, 3 * DAY), room * 0.5)) + 2
            )
            case.assistance_unconditional = True
            case.unconditional_attested_at = attested
            case.events.append(EventRecord("principles", attested, to_value="unconditional"))
        ends = case.reflection_ends_on
        running = self.as_of.date() <= ends and case.status != "closed"
        status = (
            ("reflecting" if rng.random() < 0.6 else "not_discussed")
            if running
            else COOPERATION_AFTER.pick(rng)
        )
        if status == "not_discussed":
            return
        if status == "reflecting" and running:
            moment = presumed + timedelta(
                seconds=int(min(rng.uniform(DAY, 5 * DAY), room * 0.6)) + 3
            )
        else:
            target = datetime.combine(ends, time(10), tzinfo=presumed.tzinfo) + timedelta(
                days=rng.randint(0, 20)
            )
            moment = target if target < end else presumed + timedelta(seconds=int(room * 0.7) + 3)
        case.cooperation_status = status
        case.events.append(EventRecord("principles", moment, "not_discussed", status))

    def _risk(self, case: CaseRecord, presumed: datetime | None, end: datetime) -> None:
        rng = self.rng
        if presumed is None or rng.random() > 0.1:
            return
        final = case.risk_level
        before = {"high": "medium", "low": "medium"}.get(final) or rng.choice(["low", "high"])
        moment = presumed + timedelta(
            seconds=int(max((end - presumed).total_seconds(), 4) * rng.uniform(0.1, 0.9))
        )
        case.events.append(EventRecord("risk", moment, before, final, note=RISK_REASONS[final]))

    def _needs(self, subject, case: CaseRecord, presumed: datetime, at, referrals, end) -> None:
        rng = self.rng
        room = max((end - presumed).total_seconds(), 60)
        moment = presumed + timedelta(seconds=int(min(rng.uniform(HOUR, 5 * DAY), room * 0.4)))
        needs = [r.service_type for r in referrals if r.service_type != "investigation"]
        if not needs:
            needs = self._services("presumed_victim", subject.child_at(presumed), case.kind, 3)
            needs = [n for n in needs if n != "investigation"] or ["medical"]
        if subject.languages and subject.languages[0] != self.local_language and rng.random() < 0.5:
            needs.append("interpretation")
        case.needs.append(
            NeedsRecord(moment.date(), list(dict.fromkeys(needs)), rng.choice(NEEDS_NOTES), moment)
        )
        later = (
            at.get("long_term_support")
            or at.get("return_reintegration")
            or at.get("local_integration")
        )
        if later is not None and rng.random() < 0.6:
            moment = later + timedelta(
                seconds=int(
                    min(rng.uniform(HOUR, 10 * DAY), max((end - later).total_seconds(), 60) * 0.5)
                )
            )
            options = [
                "education_livelihood",
                "legal_aid",
                "mhpss",
                "return_reintegration",
                "family_tracing",
            ]
            case.needs.append(
                NeedsRecord(moment.date(), rng.sample(options, 2), rng.choice(NEEDS_NOTES), moment)
            )

    def _reviews(self, case: CaseRecord, at, end: datetime) -> None:
        rng = self.rng
        start = at.get("referred") or at.get("presumed_victim")
        if start is None or (case.status == "presumed_victim" and rng.random() < 0.5):
            return
        today = self.as_of.date()
        last = min(end, self.as_of)
        scheduled = start + timedelta(hours=2)
        due = start + timedelta(days=90)
        while due + timedelta(days=10) < last and len(case.reviews) < 2:
            done = min(due.date() + timedelta(days=rng.randint(-2, 10)), last.date())
            case.reviews.append(
                ReviewRecord(
                    due.date(),
                    rng.choice(REVIEW_TOPICS),
                    scheduled,
                    done,
                    rng.choice(REVIEW_OUTCOMES),
                )
            )
            scheduled = datetime.combine(done, time(15), tzinfo=start.tzinfo)
            due += timedelta(days=90)
        if case.status == "closed":
            return
        roll = rng.random()
        if roll < 0.3:
            due_on = today - timedelta(days=rng.randint(1, 20))
        elif roll < 0.65:
            due_on = today + timedelta(days=rng.randint(0, 14))
        else:
            due_on = today + timedelta(days=rng.randint(15, 90))
        earliest = max(scheduled, start + timedelta(hours=2))
        latest = min(self.as_of, datetime.combine(due_on, time(8), tzinfo=start.tzinfo))
        if latest <= earliest:
            due_on = max(due_on, earliest.date() + timedelta(days=7))
            latest = earliest
        moment = earliest + timedelta(
            seconds=int((latest - earliest).total_seconds() * rng.random())
        )
        case.reviews.append(ReviewRecord(due_on, rng.choice(REVIEW_TOPICS), moment))

    def _offences(self, subject, case: CaseRecord, presumed: datetime, end: datetime) -> None:
        rng = self.rng
        if rng.random() > OFFENCE_SHARE.get(subject.form, 0):
            return
        category, text = rng.choice(OFFENCES[subject.form])
        room = max((end - presumed).total_seconds(), 60)
        recorded = presumed + timedelta(seconds=int(min(rng.uniform(DAY, 20 * DAY), room * 0.5)))
        decision, authority, decided = "pending", "", None
        if (self.as_of - recorded).days > 30 or rng.random() < 0.3:
            decision = OFFENCE_DECISION.pick(rng)
        if decision != "pending":
            authority = rng.choice(self.prosecutors)
            latest = (self.as_of - recorded).days
            decided = recorded.date() + timedelta(days=rng.randint(0, max(min(200, latest), 0)))
        case.offences.append(OffenceRecord(text, category, decision, authority, decided, recorded))
