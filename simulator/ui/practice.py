"""Practice tab: pick a persona, interview them, conclude, and read the debrief.

The running `Interview` lives in gr.State, which Gradio keeps on the server: the persona's facts, the
ground truth and the rubric never travel to the trainee's browser before the debrief. Every turn is
committed to the database as it happens, so an interrupted interview can be resumed.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import gradio as gr

from simulator.auth import PermissionDenied, User, can_view_trainee
from simulator.engine import EngineParams, Session, SessionSnapshot, Turn
from simulator.personas import Persona
from simulator.reports import session_report
from simulator.services import Services
from simulator.storage import NewTurn, SessionRecord
from simulator.ui import render
from simulator.ui.conclusion import Conclusion, observed_indicators, score_conclusion
from simulator.ui.debrief import Debrief
from simulator.ui.handlers import check_message, current_user

Mode = Literal["practice", "assessment"]
REPLY_WAIT_S = 60.0


@dataclass
class Interview:
    """One trainee's running interview (server-side only)."""

    session: Session
    record_id: str
    owner: str
    persona: Persona
    mode: Mode
    opening: str
    debrief: Debrief | None = None
    closed: bool = False  # "End interview" pressed: no more questions, only the conclusion
    saved: int = 0  # turns committed to the database; a failed save is retried before the next turn
    replying: threading.Lock = field(default_factory=threading.Lock)  # one turn at a time

    @property
    def turns(self) -> list[Turn]:
        return self.session.turns

    def chat(self) -> list[dict]:
        messages = [render.chat_message("assistant", self.opening)]
        for turn in self.turns:
            messages += render.exchange_messages(turn.officer, turn.reply)
        return messages


@dataclass(frozen=True)
class View:
    """What the practice tab shows after a step."""

    chat: list[dict]
    feedback: str = ""
    gauge: str = ""


class PracticeHandlers:
    def __init__(self, services: Services):
        self.services = services

    def _user(self, request: gr.Request | None) -> User:
        return current_user(self.services, request)

    def _own(self, interview: Interview | None, user: User) -> Interview:
        if interview is None:
            raise ValueError("Start an interview first: pick a persona and press Start.")
        if interview.owner != user.name:
            raise PermissionDenied(f"User '{user.name}' may not continue another trainee's interview.")
        return interview

    def persona_cards(self, request: gr.Request | None = None) -> list[dict]:
        """Trainee-safe cards only (no facts, no ground truth)."""
        self._user(request)
        return [persona.card() for persona in self.services.personas()]

    def active_sessions(self, request: gr.Request | None = None) -> list[SessionRecord]:
        """The signed-in trainee's own unfinished interviews, newest first."""
        user = self._user(request)
        return self.services.store().list_sessions(trainee=user.name, status="active")

    def start(self, persona_id: str, mode: Mode, request: gr.Request | None = None) -> tuple[Interview, View]:
        user = self._user(request)
        if mode not in ("practice", "assessment"):
            raise ValueError(f"Unknown mode {mode!r}; choose practice or assessment.")
        persona = self.services.personas().get(persona_id)
        rubric = self.services.rubric()
        chat_model, embedder = self.services.chat_model(), self.services.embedder()
        seed = secrets.randbelow(2**31)  # varied replies across sessions, reproducible from the stored seed
        scorer = self.services.scorer(rubric).for_person(persona.is_minor)
        session = Session(persona, scorer, chat_model, seed=seed, embedder=embedder,
                          params=EngineParams(voice=self.services.settings.voice))
        opening = session.opening()
        record = self.services.store().create_session(
            trainee=user.name, persona_id=persona.id, persona_version=str(persona.version),
            persona_hash=persona_hash(persona), rubric_id=rubric.id, rubric_hash=rubric.content_hash(),
            chat_model=chat_model.name, embedder=embedder.name, mode=mode, seed=seed,
            state_snapshot=session.snapshot().model_dump(mode="json"),
        )
        interview = Interview(session, record.id, user.name, persona, mode, opening)
        return interview, View(interview.chat())

    def resume(self, session_id: str, request: gr.Request | None = None) -> tuple[Interview, View]:
        user = self._user(request)
        store = self.services.store()
        record = store.get_session(session_id)
        if record.trainee != user.name:
            raise PermissionDenied(f"User '{user.name}' may only resume their own interviews.")
        if record.status != "active" or record.state_snapshot is None:
            raise ValueError("That interview has ended; open it in the Review tab instead.")
        persona = self.services.personas().get(record.persona_id)
        rubric = self.services.rubrics().get(record.rubric_id)
        snapshot = SessionSnapshot.model_validate(record.state_snapshot)
        session = Session.restore(snapshot, persona, self.services.scorer(rubric), self.services.chat_model(),
                                  embedder=self.services.embedder())
        interview = Interview(session, record.id, user.name, persona, record.mode, session.opening(),
                              saved=len(session.turns))
        return interview, self._view(interview)

    def discard(self, session_id: str, request: gr.Request | None = None) -> None:
        """Give up one of your own unfinished interviews: it leaves the resume list for good."""
        user = self._user(request)
        store = self.services.store()
        if store.get_session(session_id).trainee != user.name:
            raise PermissionDenied(f"User '{user.name}' may only discard their own interviews.")
        store.discard_session(session_id, actor=user.name)

    def send(self, interview: Interview | None, text: str,
             request: gr.Request | None = None) -> Iterator[View]:
        """Stream the persona's reply; in practice mode the feedback arrives before the reply."""
        interview = self._own(interview, self._user(request))
        if interview.debrief is not None:
            raise ValueError("This interview has ended; start a new one.")
        if interview.closed:
            raise ValueError("You ended this interview: submit your conclusion to see the debrief.")
        text = check_message(text)
        if not interview.replying.acquire(blocking=False):
            raise ValueError("Wait for the reply to finish before sending the next message.")
        try:
            self._save_pending(interview)
            chat = interview.chat() + [render.chat_message("user", text)]
            feedback, reply = self._view(interview).feedback, ""
            for kind, payload in interview.session.officer_turn_stream(text):
                if kind == "assessment" and interview.mode == "practice":
                    feedback = render.feedback_markdown(payload)
                elif kind == "text":
                    reply += payload
                    partial = chat + [render.chat_message("assistant", reply)]
                    yield View(partial, feedback, self._gauge(interview))
                elif kind == "turn":
                    self._save_pending(interview)
        finally:
            interview.replying.release()
        yield self._view(interview)

    def _save_pending(self, interview: Interview) -> None:
        """Commit every turn not yet in the database, oldest first, then the resumable snapshot."""
        if interview.saved == len(interview.turns):
            return
        store = self.services.store()
        for turn in interview.turns[interview.saved:]:
            store.add_turn(interview.record_id, new_turn(turn))
            interview.saved += 1
        store.update_snapshot(interview.record_id, interview.session.snapshot().model_dump(mode="json"))

    def _view(self, interview: Interview) -> View:
        last = interview.turns[-1] if interview.turns else None
        feedback = render.feedback_markdown(last.assessment) if last and interview.mode == "practice" else ""
        return View(interview.chat(), feedback, self._gauge(interview))

    def _gauge(self, interview: Interview) -> str:
        if not self.services.settings.show_gauges:
            return ""
        state = interview.session.state
        return render.gauge_markdown(state.trust, state.fear)

    def close(self, interview: Interview | None, request: gr.Request | None = None) -> None:
        """'End interview': from now on only the conclusion is taken, so nothing asked while the
        form is open is scored or counted."""
        self._own(interview, self._user(request)).closed = True

    def conclude(self, interview: Interview | None, conclusion: Conclusion,
                 request: gr.Request | None = None) -> Debrief:
        """End the interview with the officer's conclusion; only now are facts and truth revealed."""
        interview = self._own(interview, self._user(request))
        if interview.debrief is not None:
            return interview.debrief
        interview.closed = True
        if not interview.replying.acquire(timeout=REPLY_WAIT_S):  # a streaming reply finishes first
            raise ValueError("The persona is still replying; submit again in a moment.")
        try:
            self._save_pending(interview)
        finally:
            interview.replying.release()
        summary = interview.session.summary()
        report = session_report([turn.assessment for turn in interview.turns])
        observed = observed_indicators(interview.persona, summary.facts_disclosed)
        score = score_conclusion(conclusion, interview.persona.ground_truth, observed)
        self.services.store().end_session(
            interview.record_id, conclusion=conclusion.model_dump(mode="json"),
            summary=summary.model_dump(mode="json"), recommended_share=report.recommended_share,
        )
        interview.debrief = Debrief.build(interview.persona, interview.mode, interview.turns, summary, report,
                                          conclusion, score)
        return interview.debrief

    def downloads(self, interview: Interview | None, request: gr.Request | None = None) -> list[Path]:
        """The debrief's files, granted to the trainee whose interview it was and to reviewers."""
        interview = self._own(interview, self._user(request))
        if interview.debrief is None:
            raise ValueError("Submit your conclusion first: the downloads come with the debrief.")
        owner = interview.owner
        paths = interview.debrief.write_downloads(interview.record_id)
        self.services.downloads.grant(paths, lambda viewer: can_view_trainee(viewer, owner))
        return paths


def new_turn(turn: Turn) -> NewTurn:
    return NewTurn(
        index=turn.index, officer=turn.officer, reply=turn.reply, assessment=turn.assessment,
        trust=turn.trust, fear=turn.fear, mode=turn.mode, disclosed=list(turn.disclosed),
        contaminated=turn.contaminated, flags=list(turn.flags),
        guard={"repairs": [repair.model_dump(mode="json") for repair in turn.guard_repairs]},
    )


def persona_hash(persona: Persona) -> str:
    """Identifies the exact persona text a session ran against (versions may be edited in place)."""
    return hashlib.sha256(persona.model_dump_json().encode()).hexdigest()[:16]
