"""The screenings of the synthetic data set: the indicator lists a person is screened
with, and the screenings that opened, confirmed or found nothing for a case, scored by
`corridor.demo.answers`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from corridor.demo.answers import (
    NOTHING,
    POSSIBLE,
    PRESUMED,
    SMUGGLED,
    CatalogueSpec,
    answers_for,
    list_for,
    score,
)
from corridor.demo.records import CaseRecord, ScreeningRecord, Subject
from corridor.demo.sampling import DAY


class ScreeningGenerator:
    """The part of `SyntheticGenerator` that screens a person for a case. It draws on the
    state `SyntheticGenerator.__init__` sets up."""

    def _catalogue(self, subject: Subject, when: datetime) -> tuple[CatalogueSpec, bool]:
        child = subject.child_at(when)
        kind = f"{'child' if child else 'adult'}_{list_for(subject.form)}"
        return self.catalogues[kind], child

    def _screen(
        self,
        subject: Subject,
        target: str,
        *,
        agency: str,
        when: datetime,
        case_index: int | None,
        opened: bool,
        effect: str,
        location: str,
    ) -> ScreeningRecord:
        catalogue_spec, child = self._catalogue(subject, when)
        smuggling = target == SMUGGLED or (subject.form == "smuggled" and target != NOTHING)
        answers = answers_for(self.rng, catalogue_spec, target, child=child, form=subject.form)
        scored = score(
            catalogue_spec, answers, child=child, smuggling=smuggling, agency=self.by_name[agency]
        )
        record = ScreeningRecord(
            reference=self.refs.new("S"),
            agency=agency,
            list_kind=catalogue_spec.list_kind,
            screened_at=when,
            location=location,
            answers=answers,
            smuggling=smuggling,
            result=scored.result,
            rule=scored.rule,
            explanation=scored.explanation,
            treated_as_child=child,
            guardian_required=child,
            next_step=scored.next_step,
            suggested_service=scored.suggested_service,
            case=case_index if scored.result != NOTHING else None,
            case_opened=opened,
            case_effect=effect if scored.result != NOTHING else "none",
            htcds=scored.htcds,
        )
        subject.victim.screenings.append(record)
        return record

    def _screenings(self, subject: Subject, case: CaseRecord, case_index: int, plan, at) -> None:
        rng = self.rng
        opened = case.opened_at
        location = subject.place
        first = plan[0]
        how = plan[-1]
        if first == "nothing":
            when = opened - timedelta(seconds=rng.randint(DAY, 20 * DAY))
            self._screen(
                subject,
                NOTHING,
                agency=subject.owner,
                when=when,
                case_index=None,
                opened=False,
                effect="none",
                location=location,
            )
            first = plan[1]
        target = {"presumed": PRESUMED, "possible": POSSIBLE, "smuggled": SMUGGLED}[first]
        if target == PRESUMED:
            effect = "moved" if how == "moved" else "proposed"
        else:
            effect = "opened"
        self._screen(
            subject,
            target,
            agency=case.owner,
            when=opened,
            case_index=case_index,
            opened=True,
            effect=effect,
            location=location,
        )
        if plan[0] == "possible" and len(plan) == 3:  # further assessment by the NRM office
            self._screen(
                subject,
                PRESUMED,
                agency=self.coordination,
                when=at["presumed_victim"],
                case_index=case_index,
                opened=False,
                effect="moved",
                location=f"NRM office, {self.coordination_city}",
            )
        elif target == PRESUMED and rng.random() < 0.04 and "assisted" in at:
            self._screen(  # screened again later: a new screening, the first one kept
                subject,
                PRESUMED,
                agency=case.owner,
                when=at["assisted"],
                case_index=case_index,
                opened=False,
                effect="existing",
                location=location,
            )
