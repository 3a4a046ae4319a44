"""The actor corpus (simulator/actor/corpus/*.jsonl, format in SPEC.md): typed, validated records.

A bad line is an error that names the file, the line and the field, so a corpus author can fix it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from simulator.actor.plan import Aim, TopicStatus
from simulator.datafiles import StrictModel
from simulator.personas import Mode

CORPUS_DIR = Path(__file__).parent / "corpus"
MAX_REPLY_WORDS = 30


class Card(StrictModel):
    """What the actor knows of a persona: identity, the visible setting and the voice."""

    type: Literal["persona"] = "persona"
    id: str
    name: str
    age: int = Field(ge=8, le=100)
    gender: str
    origin: str
    setting: str
    voice: str
    fears: list[str] = Field(default_factory=list)
    beliefs: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)


class Example(StrictModel):
    type: Literal["example"] = "example"
    persona: str
    officer: str
    mood: Mode
    aim: Aim
    topic: str | None = None
    topic_status: TopicStatus | None = None
    feeling: str | None = None
    say: str | None = None
    reply: str

    @model_validator(mode="after")
    def _consistent(self) -> Example:
        if (self.say is not None) != (self.aim == "disclose"):
            raise ValueError("'say' is given exactly when the aim is 'disclose'")
        if len(self.reply.split()) > MAX_REPLY_WORDS:
            raise ValueError(f"reply has more than {MAX_REPLY_WORDS} words")
        if not self.reply.rstrip().endswith((".", "?", "!", "…")):
            raise ValueError("reply must end on a full sentence (. ? ! or ...)")
        return self


class Corpus(StrictModel):
    cards: dict[str, Card]
    examples: list[Example]

    def split(self, held_out: set[str]) -> tuple[list[Example], list[Example]]:
        """(training examples, examples of the `held_out` personas)."""
        train = [e for e in self.examples if e.persona not in held_out]
        return train, [e for e in self.examples if e.persona in held_out]


class CorpusError(ValueError):
    """A corpus line that does not parse or validate; the message names file, line and field."""


def load_corpus(folder: Path = CORPUS_DIR) -> Corpus:
    cards: dict[str, Card] = {}
    examples: list[Example] = []
    files = sorted(Path(folder).glob("*.jsonl"))
    if not files:
        raise CorpusError(f"no *.jsonl corpus files in {folder}")
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                record = json.loads(line)
                if record.get("type") == "persona":
                    card = Card.model_validate(record)
                    if card.id in cards:
                        raise CorpusError(f"{where}: persona '{card.id}' has a second card")
                    cards[card.id] = card
                else:
                    examples.append(Example.model_validate(record))
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: not JSON: {exc.msg}") from None
            except ValidationError as exc:
                error = exc.errors()[0]
                field = ".".join(str(p) for p in error["loc"]) or "(record)"
                raise CorpusError(f"{where}: {field}: {error['msg']}") from None
            if examples and examples[-1].persona not in cards:
                raise CorpusError(f"{where}: persona '{examples[-1].persona}' has no card before it")
    return Corpus(cards=cards, examples=examples)
