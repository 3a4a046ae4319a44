"""One interview session: score the officer, move the persona's state, gate facts, voice the reply.

The engine decides what the persona feels and may say; the chat model only words it, and the guard
checks every sentence before the trainee sees it. Deterministic for a given seed (and a deterministic
model), and resumable from a snapshot after a restart.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Iterator
from typing import Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, Field

from simulator.actor.acts import main_act, reader_for
from simulator.actor.lines import LineBook, normal
from simulator.actor.plan import ReplyPlan, make_plan
from simulator.actor.prompt import actor_messages, card_for, instruction_messages
from simulator.agreement import agrees
from simulator.disclosure import CueIndex, DisclosureParams, decide, touched_facts
from simulator.embeddings import Embedder
from simulator.guard import AuthoredReply, Guard, GuardedReply, GuardParams, GuardRepair
from simulator.labels import Assessment
from simulator.llm.base import ChatModel, GenerationParams
from simulator.personas import Fact, Mode, Persona
from simulator.prompt import Exchange, PromptParams, build_messages
from simulator.state import PersonaState, StateParams, update_state
from simulator.touching import TopicIndex

log = logging.getLogger(__name__)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class UtteranceScorer(Protocol):
    def assess_detailed(self, text: str) -> tuple[Assessment, np.ndarray]: ...


def default_generation() -> GenerationParams:
    """Short, conservative sampling: a tiny model stays coherent at low temperature. It also copies its
    earlier replies, so those are banned as 4-token runs. No repetition penalty: in bench/turns.py a
    penalty pushed SmolLM2 out of character ("You're afraid of what others think…"), the ban alone did not."""
    return GenerationParams(
        max_tokens=40,
        temperature=0.3,
        top_p=0.9,
        repetition_penalty=1.0,
        penalty_scope="reply",
        no_repeat_ngram=4,
        stop=["\nOfficer", "Officer:", "\n\n", "<|im_end|>"],
    )


class EngineParams(BaseModel):
    state: StateParams = Field(default_factory=StateParams)
    disclosure: DisclosureParams = Field(default_factory=DisclosureParams)
    guard: GuardParams = Field(default_factory=GuardParams)
    prompt: PromptParams = Field(default_factory=PromptParams)
    generation: GenerationParams = Field(default_factory=default_generation)
    trigger_similarity: float = Field(default=0.6, ge=0.0, le=1.0)
    max_input_chars: int = Field(default=2000, ge=50)
    max_known_facts: int = Field(default=3, ge=0)  # earlier disclosures repeated in the prompt
    # "verbatim": a released fact is spoken in its authored words, without a model call (the default
    # 135M model rarely reproduces it faithfully); "model": the model is asked to say it, and the
    # authored words are appended when it did not.
    disclosure_style: Literal["verbatim", "model"] = "verbatim"
    retry_heat: float = Field(default=0.3, ge=0.0, le=1.0)  # temperature added per guard retry
    # Who words a reply that tells no fact (bench/realism.py compares them, rated blind on held-out personas):
    # "authored" (default: 57% of replies convincing, against 24% for the distilled actor and 18% for the
    #   earlier design): authored lines only (topic evasions, the mood's lines, generic lines by aim);
    # "planned": an authored line written for the touched topic when there is one, else the chat model
    #   words the plan (authored lines when the guard rejects it);
    # "actor": the chat model words every such reply from the plan;
    # "prompt": the earlier design, a long role prompt with the mood's instruction and no plan.
    voice: Literal["authored", "planned", "actor", "prompt"] = "authored"
    actor_generation: GenerationParams = Field(default_factory=lambda: GenerationParams(
        max_tokens=48, temperature=0.3, top_p=0.9, repetition_penalty=1.0, penalty_scope="reply",
        no_repeat_ngram=4, stop=["\n", "<|im_end|>"]))
    recent_replies: int = Field(default=3, ge=0)  # "prompt" voice: earlier replies the model must not copy
    # After each turn, a backend with `warm` prefills the next prompt's start (system voice and history)
    # in the background while the trainee types, so the next model-worded turn's first words come sooner.
    prewarm: bool = True


class Turn(BaseModel):
    index: int
    officer: str
    reply: str
    assessment: Assessment
    trust: float
    fear: float
    mode: Mode
    disclosed: list[str] = Field(default_factory=list)  # fact ids new this turn
    recalled: list[str] = Field(default_factory=list)  # earlier facts the officer came back to
    contaminated: bool = False  # the reply shown agreed with what the officer suggested: unreliable evidence
    leading_content: str = ""  # what the officer suggested (a "resisted_suggestion" flag when not taken up)
    triggers: list[str] = Field(default_factory=list)
    plan: ReplyPlan | None = None  # what the engine decided the reply does (None for the "prompt" voice)
    voiced_by: Literal["authored", "model", "fallback"] = "model"
    flags: list[str] = Field(
        default_factory=list
    )  # engine notices: input_truncated, disclosure_completed...
    guard_repairs: list[GuardRepair] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)  # seconds


class SessionSummary(BaseModel):
    persona: str
    turns: int
    facts_total: int
    facts_disclosed: list[str]
    facts_missed: list[str]
    trust_curve: list[float]
    fear_curve: list[float]
    modes: list[str]
    final_trust: float
    final_fear: float
    recommended_share: float
    guard_rate: float  # share of turns where the guard repaired the reply
    contaminated_turns: list[int]  # the reply agreed with a suggestion
    resisted_turns: list[int] = Field(default_factory=list)  # a suggestion the reply did not take up


class SessionSnapshot(BaseModel):
    """Everything needed to resume a session with the same persona, scorer and model."""

    persona_id: str
    persona_version: int
    seed: int
    params: EngineParams
    state: PersonaState
    turns: list[Turn]


def clean_officer_text(text: str, limit: int) -> tuple[str, list[str]]:
    """Strip control characters and cap the length; the notices say what was changed."""
    notices = []
    cleaned = CONTROL_CHARS.sub(" ", text.replace("\r\n", "\n"))
    if cleaned != text.replace("\r\n", "\n"):
        notices.append("control_characters_removed")
    cleaned = re.sub(r"[ \t]+", " ", cleaned).strip()
    if not cleaned:
        raise ValueError("The officer's message is empty: type what you would say to the person.")
    if len(cleaned) > limit:
        cleaned = cleaned[:limit].rsplit(" ", 1)[0]
        notices.append("input_truncated")
    return cleaned, notices


class Session:
    def __init__(
        self,
        persona: Persona,
        scorer: UtteranceScorer,
        chat_model: ChatModel,
        seed: int = 0,
        embedder: Embedder | None = None,
        params: EngineParams | None = None,
    ):
        self.persona = persona
        self.scorer = scorer
        self.chat_model = chat_model
        self.seed = seed
        self.params = params or EngineParams()
        self.embedder = embedder if embedder is not None else scorer.embedder
        self.state = PersonaState.initial(persona)
        self.turns: list[Turn] = []
        self._topics = TopicIndex(persona.facts, self.embedder, self.params.disclosure.touch)
        self._trigger_cues = CueIndex([trigger.cues for trigger in persona.triggers], self.embedder)
        self.guard = Guard(persona, self.embedder, self.params.guard)
        self.lines = LineBook(persona, self.embedder)
        self._acts = reader_for(self.embedder) if self.params.voice != "prompt" else None
        self._card = card_for(persona)
        self._warmer: threading.Thread | None = None

    def opening(self) -> str:
        return self.persona.first_line

    @property
    def disclosed(self) -> list[str]:
        return [fact_id for turn in self.turns for fact_id in turn.disclosed]

    def officer_turn(self, text: str) -> Turn:
        for kind, value in self.officer_turn_stream(text):
            if kind == "turn":
                return value
        raise RuntimeError("the turn stream ended without a turn")  # unreachable unless a bug

    def officer_turn_stream(self, text: str) -> Iterator[tuple[str, Any]]:
        """Yield ("assessment", Assessment), then ("text", chunk) pieces, then ("turn", Turn)."""
        officer, notices = clean_officer_text(text, self.params.max_input_chars)
        index = len(self.turns)
        rng = random.Random(f"{self.seed}:{index}")
        clock = time.perf_counter()
        timings: dict[str, float] = {}

        assessment, vector = self.scorer.assess_detailed(officer)
        timings["scoring"], clock = _lap(clock)
        yield "assessment", assessment

        trigger_scores = self._trigger_cues.scores(officer, vector)
        triggers = [
            t
            for i, t in enumerate(self.persona.triggers)
            if trigger_scores[i] >= self.params.trigger_similarity
        ]
        state = update_state(self.state, assessment, triggers, self.persona, rng, self.params.state)
        fact_scores = self._topics.scores(officer, vector)
        decision = decide(state, assessment, fact_scores, self.disclosed, self.persona, rng,
                          self.params.disclosure)
        timings["state"], clock = _lap(clock)

        say = [self.persona.fact(fact_id) for fact_id in decision.released]
        allowed = set(self.disclosed) | set(decision.released)
        locked = {f.id for f in self.persona.facts} - allowed
        plan = None
        if self.params.voice != "prompt":
            plan = make_plan(
                self.persona, state.mode, assessment,
                touched_facts(fact_scores, self.persona),
                say, [self.persona.fact(f) for f in decision.recalled], decision.complies, triggers, rng)
            plan = self._answering_the_act(plan, officer, assessment)
        said = {normal(turn.reply) for turn in self.turns} | {normal(self.persona.first_line)}
        reply = self._voice(plan, state.mode, officer, say, decision, index, rng, said, locked, allowed,
                            vector)
        timings["prompt"], clock = _lap(clock)
        for sentence in reply:
            if "first_sentence" not in timings:
                timings["first_sentence"] = time.perf_counter() - clock
            yield "text", sentence if len(reply.sentences) == 1 else " " + sentence
        generated, clock = _lap(clock)
        for fact in self.guard.missing(reply.text, say):
            notices.append("disclosure_completed")
            reply.sentences.append(fact.disclosure)
            yield "text", " " + fact.disclosure
        completed, clock = _lap(clock)
        timings["guard"] = reply.check_seconds + completed
        timings["generation"] = generated - reply.check_seconds
        contaminated = bool(decision.leading_content) and agrees(reply.text, decision.leading_content,
                                                                 self.embedder)
        if decision.leading_content and not contaminated:
            notices.append("resisted_suggestion")

        turn = Turn(
            index=index,
            officer=officer,
            reply=reply.text,
            assessment=assessment,
            trust=state.trust,
            fear=state.fear,
            mode=state.mode,
            disclosed=decision.released,
            recalled=decision.recalled,
            contaminated=contaminated,
            leading_content=decision.leading_content,
            triggers=[t.name for t in triggers],
            plan=plan,
            voiced_by=_voiced_by(reply),
            flags=notices,
            guard_repairs=reply.repairs,
            timings={k: round(v, 4) for k, v in timings.items()},
        )
        self.state = state
        self.turns.append(turn)
        self._prewarm()
        yield "turn", turn

    def _answering_the_act(self, plan: ReplyPlan, officer: str, assessment) -> ReplyPlan:
        """Name the officer's act in the plan, unless the reply discloses or complies whatever was done."""
        if plan.aim in ("disclose", "comply"):
            return plan
        acts = self._acts.by_sentence(officer, assessment)
        return plan.model_copy(update={"act": main_act(acts, officer, plan.topic_status is not None)})

    def _voice(self, plan: ReplyPlan | None, mode: Mode, officer: str, say: list[Fact], decision, index: int,
               rng: random.Random, said: set[str], locked: set[str], allowed: set[str], vector=None):
        """The reply's words: a released fact's authored disclosure, an authored line, or the model's
        words checked by the guard (authored lines when it rejects them)."""
        if say and self.params.disclosure_style == "verbatim":
            return AuthoredReply(" ".join(fact.disclosure for fact in say))
        earlier = [t.reply for t in self.turns]
        if plan is None:  # the "prompt" voice
            messages = build_messages(self.persona, mode, officer, self._history(), say,
                                      self._known(decision.recalled), decision.complies,
                                      self.params.prompt)
            recent = earlier[::-1][: self.params.recent_replies]
            return GuardedReply(
                self.guard, lambda attempt: self._generate(messages, index, attempt, recent),
                officer, locked=locked, allowed=allowed,
                fallback=rng.choice(self.persona.example_lines[mode]), earlier_replies=recent)
        voice = self.params.voice
        topic_line = self.lines.pick(plan, said, rng, topic_only=True) if voice == "planned" else None
        if voice == "authored" or topic_line:
            line = topic_line or self.lines.pick(plan, said, rng, vector)
            return AuthoredReply(line or self.lines.any_line(mode, rng))
        messages = self._plan_messages(plan, officer)
        fallback = self.lines.pick(plan, said, rng, vector) or self.lines.any_line(mode, rng)
        options = self.params.actor_generation
        return GuardedReply(
            self.guard, lambda attempt: self._generate(messages, index, attempt, earlier, options),
            officer, locked=locked, allowed=allowed, fallback=fallback, earlier_replies=earlier)

    def _plan_messages(self, plan: ReplyPlan, officer: str) -> list:
        """The distilled actor gets the compact prompt it was trained on; other models the instructions."""
        render = actor_messages if getattr(self.chat_model, "voice", "") == "actor" else instruction_messages
        return render(self._card, plan, officer)

    def _generate(self, messages: list, index: int, attempt: int, earlier: list[str],
                  base: GenerationParams | None = None) -> Iterator[str]:
        """A retry samples hotter as well as with another seed: at low temperature a small model
        often repeats the rejected reply whatever the seed. `earlier` replies are not to be copied."""
        base = base or self.params.generation
        options = base.model_copy(
            update={
                "seed": self.seed * 10_007 + index * 101 + attempt,
                "temperature": min(base.temperature + self.params.retry_heat * attempt, 1.5),
                "avoid": [*base.avoid, *earlier],
            }
        )
        return self.chat_model.stream(messages, **options.model_dump())

    def _prewarm(self) -> None:
        """Start prefilling what the next turn's prompt begins with, built by the same prompt code. Turns
        that speak authored words make no model call, so without this the next model-worded turn would
        prefill all of them. One warm at a time: each waits for the one before. Errors are only logged."""
        warm = getattr(self.chat_model, "warm", None)
        if not self.params.prewarm or warm is None:
            return
        # The officer's next words are unknown; the last message, which holds them, is dropped, and the
        # prompt keeps the same history for any message shorter than its reserve.
        if self.params.voice == "prompt":
            upcoming = build_messages(self.persona, self.state.mode, "", self._history(),
                                      params=self.params.prompt)[:-1]
        else:  # a plan prompt starts with the persona's card, the same on every turn
            upcoming = self._plan_messages(ReplyPlan(mode=self.state.mode, aim="answer"), "")[:1]
        previous = self._warmer

        def run() -> None:
            if previous is not None:
                previous.join()
            try:
                warm(upcoming)
            except Exception:
                log.warning("prewarming the chat model failed; the next turn prefills in full", exc_info=True)

        # Not a daemon: a thread still inside torch when the interpreter exits aborts the process.
        self._warmer = threading.Thread(target=run, name="session-prewarm", daemon=False)
        self._warmer.start()

    def wait_for_prewarm(self, timeout: float | None = None) -> None:
        """Block until the background prefill started by the last turn has finished (or `timeout`)."""
        if self._warmer is not None:
            self._warmer.join(timeout)

    def _history(self) -> list[Exchange]:
        return [Exchange(officer=turn.officer, reply=turn.reply) for turn in self.turns]

    def _known(self, recalled: list[str]) -> list[Fact]:
        """Earlier disclosures the model may refer to: those asked about again first, then the latest."""
        ordered = list(dict.fromkeys([*recalled, *reversed(self.disclosed)]))
        return [self.persona.fact(fact_id) for fact_id in ordered[: self.params.max_known_facts]]

    def summary(self) -> SessionSummary:
        disclosed = self.disclosed
        turns = self.turns
        return SessionSummary(
            persona=self.persona.id,
            turns=len(turns),
            facts_total=len(self.persona.facts),
            facts_disclosed=disclosed,
            facts_missed=[f.id for f in self.persona.facts if f.id not in disclosed],
            trust_curve=[self.persona.initial_trust, *(t.trust for t in turns)],
            fear_curve=[self.persona.initial_fear, *(t.fear for t in turns)],
            modes=[t.mode for t in turns],
            final_trust=self.state.trust,
            final_fear=self.state.fear,
            recommended_share=_share(sum(t.assessment.recommended for t in turns), len(turns)),
            guard_rate=_share(sum(bool(t.guard_repairs) for t in turns), len(turns)),
            contaminated_turns=[t.index for t in turns if t.contaminated],
            resisted_turns=[t.index for t in turns if "resisted_suggestion" in t.flags],
        )

    def snapshot(self) -> SessionSnapshot:
        return SessionSnapshot(
            persona_id=self.persona.id,
            persona_version=self.persona.version,
            seed=self.seed,
            params=self.params,
            state=self.state,
            turns=list(self.turns),
        )

    @classmethod
    def restore(
        cls,
        snapshot: SessionSnapshot,
        persona: Persona,
        scorer: UtteranceScorer,
        chat_model: ChatModel,
        embedder: Embedder | None = None,
    ) -> Session:
        if snapshot.persona_id != persona.id:
            raise ValueError(f"snapshot is for persona '{snapshot.persona_id}', not '{persona.id}'")
        unknown = {f for turn in snapshot.turns for f in turn.disclosed} - {f.id for f in persona.facts}
        if unknown:
            raise ValueError(f"persona '{persona.id}' no longer has facts {', '.join(sorted(unknown))}")
        session = cls(
            persona, scorer, chat_model, seed=snapshot.seed, embedder=embedder, params=snapshot.params
        )
        session.state = snapshot.state
        session.turns = list(snapshot.turns)
        return session


def _voiced_by(reply) -> str:
    if isinstance(reply, AuthoredReply):
        return "authored"
    return "fallback" if any(r.action == "fallback" for r in reply.repairs) else "model"


def _lap(start: float) -> tuple[float, float]:
    now = time.perf_counter()
    return now - start, now


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0
