"""From stored sessions to judged attempts: the effective figures of each ended interview.

Effective means as reviewed: the session's recommended share already follows reviewers' overrides,
the harmful rate reads each question's overridden tone, and the conclusion is scored against the
persona's ground truth on the facts disclosed as the (possibly corrected) summary records them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from simulator.courses import ItemAttempt, SessionOutcome
from simulator.effectiveness import Attempt
from simulator.personas import Persona
from simulator.registry import Registry
from simulator.storage import Store
from simulator.ui.conclusion import Conclusion, observed_indicators, score_conclusion


def judge(outcome: SessionOutcome, persona: Persona) -> Attempt:
    facts = {fact.id for fact in persona.facts}  # a fact the persona lost in a later edit is skipped
    observed = observed_indicators(persona, [fact for fact in outcome.facts_disclosed if fact in facts])
    score = score_conclusion(Conclusion.model_validate(outcome.conclusion), persona.ground_truth, observed)
    found = len(score.indicators_supported) + len(score.indicators_missed)
    harmful = sum(turn.get("tone") == "harmful" for turn in outcome.turns)
    return Attempt(session_id=outcome.id, trainee=outcome.trainee, persona_id=outcome.persona_id,
                   started_at=outcome.started_at, recommended_share=outcome.recommended_share or 0.0,
                   harmful_rate=harmful / len(outcome.turns) if outcome.turns else 0.0,
                   verdict_correct=score.verdict_correct, type_correct=score.type_correct,
                   indicator_recall=len(score.indicators_supported) / found if found else None)


def judge_all(outcomes: list[SessionOutcome], personas: Registry[Persona]) -> list[Attempt]:
    """The ended, concluded interviews among `outcomes`. Those of a persona no longer in the folder are
    left out: without its ground truth nothing can be judged."""
    return [judge(o, personas.get(o.persona_id)) for o in outcomes
            if o.status == "ended" and o.conclusion and o.recommended_share is not None
            and o.persona_id in personas]


def ended_attempts(store: Store, personas: Registry[Persona], trainees: Collection[str] | None,
                   persona_ids: Collection[str] | None) -> list[Attempt]:
    """Every ended, concluded interview of those trainees on those personas (None: any)."""
    outcomes = store.session_outcomes(trainees=trainees, persona_ids=persona_ids, status="ended")
    return judge_all(outcomes, personas)


def item_attempts(outcomes: list[SessionOutcome], attempts: Mapping[str, Attempt]) -> list[ItemAttempt]:
    """A trainee's sessions as a course item sees them (ended ones judged)."""
    return [ItemAttempt(session_id=o.id, status=o.status, started_at=o.started_at, ended_at=o.ended_at,
                        recommended_share=o.recommended_share,
                        conclusion_correct=attempts[o.id].conclusion_correct if o.id in attempts else None)
            for o in outcomes]
