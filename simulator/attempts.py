"""From stored sessions to judged attempts: the effective figures of each ended interview.

Effective means as reviewed: the session's recommended share already follows reviewers' overrides,
the harmful rate reads each turn's overridden tone, and the conclusion is scored against the persona's
ground truth on the facts disclosed as the (possibly overridden) summary records them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from simulator.courses import ItemAttempt
from simulator.effectiveness import Attempt
from simulator.personas import Persona
from simulator.registry import Registry
from simulator.storage import SessionRecord, Store
from simulator.ui.conclusion import Conclusion, observed_indicators, score_conclusion


def judge(record: SessionRecord, labels: list[dict], persona: Persona) -> Attempt:
    summary = record.effective_summary or record.summary or {}
    facts = {fact.id for fact in persona.facts}  # a fact the persona lost in a later edit is skipped
    disclosed = [fact for fact in summary.get("facts_disclosed", []) if fact in facts]
    observed = observed_indicators(persona, disclosed)
    score = score_conclusion(Conclusion.model_validate(record.conclusion), persona.ground_truth, observed)
    found = len(score.indicators_supported) + len(score.indicators_missed)
    harmful = sum(label.get("tone") == "harmful" for label in labels)
    return Attempt(session_id=record.id, trainee=record.trainee, persona_id=record.persona_id,
                   started_at=record.started_at, recommended_share=record.recommended_share or 0.0,
                   harmful_rate=harmful / len(labels) if labels else 0.0,
                   verdict_correct=score.verdict_correct, type_correct=score.type_correct,
                   indicator_recall=len(score.indicators_supported) / found if found else None)


def ended_attempts(store: Store, personas: Registry[Persona], trainees: Collection[str] | None,
                   persona_ids: Collection[str] | None) -> list[Attempt]:
    """Every ended, concluded interview of those trainees on those personas (None: any). Sessions of a
    persona no longer in the folder are left out: without its ground truth nothing can be judged."""
    known = set(personas.names())
    records = [r for r in store.list_sessions(status="ended")
               if (trainees is None or r.trainee in trainees) and r.persona_id in known
               and (persona_ids is None or r.persona_id in persona_ids) and r.conclusion
               and r.recommended_share is not None]
    labels = store.effective_turn_labels([r.id for r in records])
    return [judge(r, labels[r.id], personas.get(r.persona_id)) for r in records]


def item_attempts(records: list[SessionRecord], judged: Mapping[str, Attempt]) -> list[ItemAttempt]:
    """A trainee's sessions as a course item sees them (ended ones judged)."""
    return [ItemAttempt(session_id=r.id, status=r.status, started_at=r.started_at, ended_at=r.ended_at,
                        recommended_share=r.recommended_share,
                        conclusion_correct=judged[r.id].conclusion_correct if r.id in judged else None)
            for r in records]

