"""Persona studio (instructors): edit, validate, clone, save and try out personas; tune the rubric.

Edits are validated before they touch the folder, saved atomically (temp file + os.replace) and the
previous version is kept under `.history/`, so a bad save never leaves a half-written persona and
an earlier version can always be recovered.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import gradio as gr

from simulator import atomic
from simulator.auth import User, can_edit_personas, require
from simulator.cards import card_json, card_to_persona, read_card_json
from simulator.datafiles import DataFileError, check_id, dump_yaml, parse_yaml, validate_data
from simulator.engine import EngineParams, Session, Turn
from simulator.head import load_head, save_head
from simulator.head_training import (
    CrossValidation,
    calibration_examples,
    cross_validate_head,
    exemplar_examples,
    fingerprint,
    head_path,
    refreshed_head,
    shipped_encoder,
    studio_sample,
)
from simulator.personas import Persona
from simulator.registry import path_for_id
from simulator.rubric import Rubric
from simulator.services import Services
from simulator.ui import render
from simulator.ui.charts import line_chart
from simulator.ui.handlers import check_message, current_user

HISTORY_DIR = ".history"


@dataclass
class Preview:
    """An instructor's throw-away chat with an unsaved persona: nothing is stored."""

    session: Session
    chat: list[dict]


KEPT_VALIDATIONS = 16  # cross-validated figures kept for the studio's comparison (a few hundred bytes each)
SLOW_SAVE = 120.0  # seconds: a refit this slow was embedding the calibration sets (a cold cache)


@dataclass
class RubricSaved:
    """What a rubric save did to the scorer's learned head, for the instructor's status line."""

    rubric_id: str
    head: str  # "kept" (features unchanged), "refitted", "trained" (from nothing) or "none" (no head file)
    seconds: float

    def message(self) -> str:
        done = {"kept": "the scorer's learned head is unchanged (no exemplar or classifier setting edited)",
                "refitted": "the scorer's learned head was refitted to the edited exemplars",
                "trained": "the scorer's learned head was trained again from nothing",
                "none": "this rubric has no learned head; it scores by exemplars and cues"}[self.head]
        took = f" ({self.seconds:.0f} s)" if self.head in ("refitted", "trained") else ""
        cold = self.head == "refitted" and self.seconds > SLOW_SAVE
        slow = (" The first save after an install embeds the calibration sets; `interview-sim rubric "
                "prepare` does that beforehand.") if cold else ""
        return f"✓ Saved rubric '{render.inert(self.rubric_id)}'; {done}{took}.{slow}"


def parse_persona(text: str) -> Persona:
    return validate_data(parse_yaml(text, "persona YAML"), Persona, "persona YAML")


def parse_rubric(text: str) -> Rubric:
    return validate_data(parse_yaml(text, "rubric YAML"), Rubric, "rubric YAML")


def script_lines(text: str) -> list[str]:
    """A replay script: one officer message per line; blank lines and `#` comments are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def read_by_id(folder: Path, item_id: str, kind: str) -> str:
    """The file's text, comments kept; the studio stores each item as `ID.yaml`."""
    path = path_for_id(folder, item_id, kind)
    if not path.exists():
        raise ValueError(f"{kind} '{item_id}' is not stored as {path.name}: rename its file to match its id")
    return path.read_text(encoding="utf-8")


def save_atomically(folder: Path, item_id: str, kind: str, text: str) -> Path:
    """Write `folder/ID.yaml` via a temp file and os.replace, keeping the old file in `.history/`."""
    path = path_for_id(folder, item_id, kind)
    if path.exists():
        history = folder / HISTORY_DIR
        history.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        (history / f"{item_id}.{stamp}.yaml").write_bytes(path.read_bytes())
    # Created as open() would (0666 less the umask), or with the mode of the file being replaced (not
    # mkstemp's owner-only 0600): a saved persona reads like the shipped ones.
    atomic.write_text(path, text, path.stat().st_mode & 0o777 if path.exists() else None)
    return path


def turn_state_markdown(turn: Turn) -> str:
    """The persona's internal state after one preview turn (instructors only)."""
    repairs = ", ".join(repair.reason for repair in turn.guard_repairs) or "none"
    return (f"**Turn {turn.index + 1}:** mode {render.label(turn.mode)} · trust {turn.trust:.2f} · "
            f"fear {turn.fear:.2f} · disclosed {', '.join(turn.disclosed) or 'nothing'} · "
            f"guard repairs {repairs}" + (" · ⚠ contaminated" if turn.contaminated else ""))


def replay_chart(session: Session) -> str:
    """Trust and fear at the start and after each turn of a replay; each marker names the mode and what
    was disclosed."""
    summary = session.summary()
    notes = ["start", *(render.label(turn.mode) + "".join(f", disclosed {fact}" for fact in turn.disclosed)
                        for turn in session.turns)]
    labels = ["start", *(str(turn.index + 1) for turn in session.turns)]
    return line_chart(f"{session.persona.name}: trust and fear by turn", labels,
                      {"trust": [round(100 * v) for v in summary.trust_curve],
                       "fear": [round(100 * v) for v in summary.fear_curve]},
                      y_max=100, y_unit="%", point_notes=notes)


class StudioHandlers:
    def __init__(self, services: Services):
        self.services = services
        self._validated: dict[str, CrossValidation] = {}  # by fingerprint: saved and tried rubrics

    def _instructor(self, request: gr.Request | None) -> User:
        user = current_user(self.services, request)
        require(can_edit_personas(user), user, "use the persona studio")
        return user

    @property
    def _folder(self) -> Path:
        return Path(self.services.settings.personas_dir)

    def persona_ids(self, request: gr.Request | None = None) -> tuple[list[str], dict[str, str]]:
        """Loaded persona ids and the files that failed to load, with the reason."""
        self._instructor(request)
        registry = self.services.reload_personas()
        return registry.names(), dict(registry.errors)

    def load(self, persona_id: str, request: gr.Request | None = None) -> str:
        """The YAML as written on disk (comments kept)."""
        self._instructor(request)
        return read_by_id(self._folder, persona_id, "persona")

    def validate(self, text: str, request: gr.Request | None = None) -> str:
        """'' when valid, else the error naming the field."""
        self._instructor(request)
        try:
            parse_persona(text)
        except DataFileError as exc:
            return str(exc)
        return ""

    def clone(self, source_id: str, new_id: str, request: gr.Request | None = None) -> str:
        """A copy under a new id, not saved until the instructor presses Save. An id already taken is
        refused here: saving the copy would silently replace that persona."""
        self._instructor(request)
        new_id = check_id((new_id or "").strip(), "persona id")
        if new_id in self.services.reload_personas() or path_for_id(self._folder, new_id, "persona").exists():
            raise ValueError(f"A persona with the id '{new_id}' already exists: choose another id for the "
                             "clone, or open that persona to edit it.")
        persona = self.services.personas().get(source_id)
        return dump_yaml(persona.model_copy(update={"id": new_id, "version": 1}).model_dump(mode="json"))

    def save(self, text: str, request: gr.Request | None = None) -> str:
        user = self._instructor(request)
        persona = parse_persona(text)
        save_atomically(self._folder, persona.id, "persona", text)
        self.services.reload_personas()
        self.services.store().audit(user.name, "persona_saved", persona.id, {"version": persona.version})
        return persona.id

    def export_card(self, persona_id: str, request: gr.Request | None = None) -> Path:
        self._instructor(request)
        persona = self.services.personas().get(persona_id)
        path = Path(tempfile.mkdtemp(prefix="interview-sim-")) / f"{persona.id}.card.json"
        path.write_text(card_json(persona), encoding="utf-8")
        self.services.downloads.grant([path], can_edit_personas)  # a card holds the hidden facts
        return path

    def import_card(self, card_path: str, request: gr.Request | None = None) -> str:
        """The card as persona YAML for review; saving is a separate, validated step."""
        self._instructor(request)
        persona = card_to_persona(read_card_json(card_path), Path(card_path).name)
        return dump_yaml(persona.model_dump(mode="json"))

    def preview_start(self, text: str, request: gr.Request | None = None) -> Preview:
        self._instructor(request)
        persona = parse_persona(text)
        session = Session(persona, self.services.scorer().for_person(persona.is_minor),
                          self.services.chat_model(),
                          embedder=self.services.embedder(),
                          params=EngineParams(voice=self.services.settings.voice))
        return Preview(session, [render.chat_message("assistant", session.opening())])

    def preview_send(self, preview: Preview | None, text: str,
                     request: gr.Request | None = None) -> tuple[Preview, str]:
        self._instructor(request)
        if preview is None:
            raise ValueError("Press 'Start preview' first.")
        text = check_message(text)
        turn = preview.session.officer_turn(text)
        preview.chat += render.exchange_messages(turn.officer, turn.reply)
        return preview, turn_state_markdown(turn)

    def replay(self, text: str, script: str, request: gr.Request | None = None) -> tuple[str, str]:
        """Run a script of officer lines against the edited persona: every turn's state, and trust and fear
        plotted by turn, so that an instructor can tune the persona's temperament and thresholds."""
        self._instructor(request)
        lines = script_lines(script)
        if not lines:
            raise ValueError("The replay script is empty: write one officer message per line.")
        preview = self.preview_start(text, request)
        rows = []
        for line in lines:
            turn = preview.session.officer_turn(line)
            rows.append(f"> {render.inert(turn.officer)}\n\n{render.inert(turn.reply)}\n\n"
                        f"{turn_state_markdown(turn)}")
        summary = preview.session.summary()
        rows.append(f"**Disclosed {len(summary.facts_disclosed)} of {summary.facts_total} facts**; "
                    f"recommended {render.percent(summary.recommended_share)}.")
        return "\n\n---\n\n".join(rows), replay_chart(preview.session)

    # -- rubric --

    def rubric_ids(self, request: gr.Request | None = None) -> list[str]:
        self._instructor(request)
        return self.services.reload_rubrics().names()

    def load_rubric(self, rubric_id: str, request: gr.Request | None = None) -> str:
        self._instructor(request)
        return read_by_id(Path(self.services.settings.rubrics_dir), rubric_id, "rubric")

    def compare_rubric(self, rubric_id: str, text: str, request: gr.Request | None = None) -> str:
        """Cross-validated figures of the saved rubric beside the edited one, before anything is saved: each
        calibration utterance and tone exemplar is scored by a head trained without it, never by one that
        was fitted to it."""
        self._instructor(request)
        edited = parse_rubric(text)
        calibration = calibration_examples(Path(self.services.settings.rubrics_dir) / "calibration")
        embedder = self.services.embedder()
        saved_rubric = self.services.rubric(rubric_id)
        encoder = shipped_encoder(self.services.settings.rubrics_dir, rubric_id, embedder)
        figures = []
        for rubric in (saved_rubric, edited):  # unchanged features: the saved side's
            examples = studio_sample(exemplar_examples(rubric) + calibration)
            key = fingerprint(rubric, examples, embedder.name, encoder)
            if key not in self._validated:
                self._validated[key] = cross_validate_head(rubric, embedder, examples, encoder=encoder)
                while len(self._validated) > KEPT_VALIDATIONS:  # a long-running app: the oldest go first
                    del self._validated[next(iter(self._validated))]
            figures.append(self._validated[key])
        sampled = sum(e.source != "exemplars" for e in examples)
        return metrics_table(*figures, sampled, len(calibration))

    def save_rubric(self, text: str, request: gr.Request | None = None) -> RubricSaved:
        user = self._instructor(request)
        rubric = parse_rubric(text)
        rubrics_dir = Path(self.services.settings.rubrics_dir)
        save_atomically(rubrics_dir, rubric.id, "rubric", text)
        embedder = self.services.embedder()
        path = head_path(rubrics_dir, rubric.id, embedder.name)
        started, outcome = time.monotonic(), "none"
        if path.exists():  # the head beside the rubric learns the edited rubric's examples
            encoder = shipped_encoder(rubrics_dir, rubric.id, embedder)
            saved = load_head(path)
            head = refreshed_head(rubric, embedder, rubrics_dir / "calibration", saved, encoder)
            outcome = "kept" if head is saved else "refitted" if head.refitted_from else "trained"
            if head is not saved:
                save_head(head, path)
        self.services.reload_rubrics()
        self.services.store().audit(user.name, "rubric_saved", rubric.id,
                                    {"hash": rubric.content_hash(), "head": outcome})
        return RubricSaved(rubric.id, outcome, time.monotonic() - started)


def metrics_table(saved: CrossValidation, edited: CrossValidation, sampled: int, utterances: int) -> str:
    """Cross-validated figures, saved vs edited, as a Markdown table; `sampled` of the `utterances` in the
    calibration sets took part."""
    rows = [("tone", "accuracy", saved.tone.accuracy, edited.tone.accuracy),
            ("tone", "macro F1", saved.tone.macro_f1, edited.tone.macro_f1),
            ("harmful", "recall", saved.harmful_recall, edited.harmful_recall),
            ("harmful", "false alarms (lower is better)", saved.false_alarms, edited.false_alarms),
            ("recommended", "accuracy", saved.recommended.accuracy, edited.recommended.accuracy)]
    which = "every calibration utterance" if sampled == utterances else \
        f"a fixed sample of {sampled} of the {utterances} calibration utterances"
    lines = [f"_{saved.folds}-fold cross-validation on {which} and every tone exemplar: each is scored by a "
             "head trained without it. Compare the two columns: on a sample each head learns from fewer "
             "examples than the shipped one, so both read lower than its full figures._", "",
             "| label | metric | saved | edited | change |", "|---|---|---|---|---|"]
    lines += [f"| {label} | {metric} | {old:.3f} | {new:.3f} | {new - old:+.3f} |"
              for label, metric, old, new in rows]
    return "\n".join(lines)
