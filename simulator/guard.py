"""The in-character guard: every sentence of a reply is checked before the trainee sees it.

Small models slip out of role (answer as an assistant, speak for the officer, echo the question),
leak what the engine has not released, ramble, switch language, or produce content unsuitable for a
training tool whose personas include children. Replies stream sentence by sentence once each sentence
passes; a failing first sentence triggers a retry with another seed, then the persona's authored line.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from simulator.embeddings import Embedder, embed_fixed
from simulator.llm.base import ChatModelError
from simulator.personas import Fact, Persona

WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n+")

OUT_OF_ROLE = re.compile(
    "|".join(
        [
            r"\b(officer|police|interviewer|user|assistant|system|human|narrator)\s*:",
            r"^\W*[A-Z][\w'.-]*( [A-Z][\w'.-]*)?\s*:\s",
            r"\[(officer|user|assistant|system)\]",
            r"\bhow (can|may) i (help|assist)",
            r"\bi'?m here to (help|assist|investigate)",
            r"\bi am here to (help|assist)",
            r"\bi('m| am) (just |only |also )?(a |an |the )?(police ?(wo)?man|police|officer|cop|detective|"
            r"constable|sergeant|inspector|investigator)\b",
            r"\b(as|like) (a |an )?(police )?(officer|cop|detective)\b",
            r"\bi work (for|with) the police\b",
            r"\bwe('re| are) (the )?police\b",
            r"\bmy (colleague|partner|badge|warrant card|duty)\b",
            r"\byou('re| are) under arrest\b",
            r"\b(can|could) you tell me (more )?about (your|what)",
            r"\btell me (more )?about your\b",
        ]
    ),
    re.IGNORECASE,
)
AI_MENTION = re.compile(
    "|".join(
        [
            r"\bas an ai\b",
            r"\bi('m| am) (just )?an? (ai|bot|program|computer)\b",
            r"\b(ai|language|llm) model\b",
            r"\bartificial intelligence\b",
            r"\bchat ?bot\b",
            r"\bassistant\b",
            r"\bchatgpt\b",
            r"\bopenai\b",
            r"\bsystem prompt\b",
            r"\b(my|the|your) (instructions|prompt)\b",
            r"\brole-?play",
            r"\bpersona\b",
            r"\bi('m| am) (not able|unable) to (comply|help with|provide)\b",
            r"\bi can(no|')t (comply|fulfil)",
            r"\bin character\b",
            r"\bsimulation\b",
        ]
    ),
    re.IGNORECASE,
)
# A helpful assistant's stock phrases: no frightened person says them to the police.
CHATBOT = re.compile(
    "|".join(
        [
            r"\b(please )?(go ahead|feel free) (and )?(to )?ask\b",
            r"\b(happy|glad) to (help|assist|answer)\b",
            r"\bis there anything else\b",
            r"\blet me know if\b",
            r"\bi hope (this|that) helps\b",
            r"\b(great|good) question\b",
            r"\bwhat (else )?can i do for you\b",
            r"\bthank you for (your question|reaching out)\b",
            r"\bi understand your concern\b",
        ]
    ),
    re.IGNORECASE,
)
# Stage directions, and the prompt's own instructions read out as if they were the reply.
STAGE_OR_INSTRUCTION = re.compile(
    "|".join(
        [
            r"^\s*[(*\[]",  # "(looks down)", "*sighs*", "[pause]"
            r"[(*][a-z][^)*]*[)*]",
            r"\bi('ll| will) (change the subject|answer (briefly|honestly|carefully)|keep it (short|vague)|"
            r"say (very )?little|just agree|ask (to leave|what will happen))\b",
            r"\b(in )?(1|one)[- ]?(to|-)?[- ]?(2|two) (short )?sentences\b",
            r"\bshort sentences\b",
            r"\bin the first person\b",
            r"\b(mood|aim|topic|feeling|voice|reply|say)\s*:",
            r"\breply as\b",
            r"\byou('re| are) (very )?(upset|frightened|wary|scared|afraid|starting to trust)\b",
            r"\bnot ready to tell\b",
            r"\bspeak(s)? (as|in) (the )?\w+ (voice|register)\b",
        ]
    ),
    re.IGNORECASE,
)
INTRODUCTION = re.compile(r"(name is|my name's|i'm|i am|call me|it's|it is|this is)\s+(\w+\s+){0,2}$")
NAME_CLAIM = re.compile(r"\b(?i:my name is|my name's|call me)\s+(?P<name>[A-Z][\w'-]+)")
AGE_CLAIM = re.compile(r"\b(i'm|i am)\s+(\d{1,2})\b(?!\s*(pounds|quid|euros|dollars|hours|days|weeks))")
STUTTERED = re.compile(r"\b(the|a|an|of|and|to|in|on|is|are|with|for|at) \1\b", re.IGNORECASE)  # "the the"
HOME_CLAIM = re.compile(r"\b(I'm|I am|I come) from\s+([A-Z][\w'-]+)")
SENTENCE_FINISH = re.compile(r"([.!?…。！？]|\.\.\.)[\"'”’)\]]*$")
# Always enforced, whatever the officer writes: several personas are children.
UNSAFE_CONTENT = re.compile(
    "|".join(
        [
            r"\bnaked\b",
            r"\bnude\b",
            r"\bpenis",
            r"\bvagin",
            r"\bgenital",
            r"\borgasm",
            r"\bblow ?job",
            r"\bporn",
            r"\bmasturbat",
            r"\berotic",
            r"\bintercourse\b",
            r"\bbreasts?\b",
            r"\bsexy\b",
            r"\baroused\b",
            r"\bfondl",
            r"\bsexual(ly)? (act|touch)",
            r"\brap(e|ed|ing)\b",
            r"\bgore\b",
            r"\bgory\b",
            r"\bdismember",
            r"\bdecapitat",
            r"\bmutilat",
            r"\bdisembowel",
            r"\bslit (his|her|my|their) throat",
            r"\bblood everywhere\b",
            r"\bstabb(ed|ing)\b",
            r"\btortur",
            r"\bbeheading",
        ]
    ),
    re.IGNORECASE,
)
ENGLISH_MARKERS = frozenset(
    "i you he she we they it me my your his her him them our us the a an to is are was were am be been "
    "not no yes and but so or if as of in on at for with by from up out about all some much more very "
    "really lot bit what why how when who where do don't did can can't will would could have had has get "
    "got go know want think say said like this that there here just only okay ok please sorry i'm it's "
    "that's he's she's".split()
)
STOPWORDS = frozenset(
    "about after again also always because been before being could does doing down every from have into "
    "just like made make many more most much must never only other over said says same some such than that "
    "their them then there these they this those very want were what when where which while will with would "
    "your yours".split()
)

RepairReason = Literal[
    "empty",
    "out_of_character",
    "ai_mention",
    "unsafe_content",
    "language",
    "too_long",
    "echo",
    "repetition",
    "locked_fact",
    "model_error",
    "chatbot",
    "stage_direction",
    "third_person",
    "contradiction",
    "unfinished",
    "garbled",
]


class GuardParams(BaseModel):
    max_retries: int = Field(default=1, ge=0, le=10)  # each retry costs a generation: keep it bounded
    max_sentences: int = Field(default=2, ge=1)
    max_sentence_chars: int = Field(default=240, ge=20)
    echo_overlap: float = Field(default=0.6, ge=0.0, le=1.0)  # share of the sentence's word pairs copied
    leak_similarity: float = Field(default=0.72, ge=0.0, le=1.0)  # alone enough to call a leak
    leak_keyword_similarity: float = Field(default=0.45, ge=0.0, le=1.0)  # with distinctive words
    leak_keywords: int = Field(default=2, ge=1)
    foreign_script_share: float = Field(default=0.3, ge=0.0, le=1.0)
    covered_similarity: float = Field(default=0.6, ge=0.0, le=1.0)  # a released fact counts as said
    near_repeat: float = Field(default=0.6, ge=0.0, le=1.0)  # word-pair overlap with an earlier sentence


class GuardRepair(BaseModel):
    reason: RepairReason
    action: Literal["retry", "truncate", "fallback"]
    attempt: int


def stream_sentences(chunks: Iterator[str]) -> Iterator[str]:
    """Buffer streamed model text and yield whole sentences as soon as each one ends."""
    buffer = ""
    for chunk in chunks:
        buffer += chunk
        while (match := SENTENCE_END.search(buffer)) is not None:
            sentence, buffer = buffer[: match.start()].strip(), buffer[match.end() :]
            if sentence:
                yield sentence
    if buffer.strip():
        yield buffer.strip()


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def _normal(sentence: str) -> str:
    return " ".join(_words(sentence))


def _pairs(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:], strict=False))


class Guard:
    """Checks sentences for one persona; fact embeddings and distinctive words are computed once."""

    def __init__(self, persona: Persona, embedder: Embedder, params: GuardParams | None = None):
        self.persona = persona
        self.embedder = embedder
        self.params = params or GuardParams()
        self._fact_vectors = embed_fixed(
            embedder, [text for fact in persona.facts for text in (fact.content, fact.disclosure)]
        ).reshape(len(persona.facts), 2, -1)
        sayable = " ".join(
            [
                persona.background,
                persona.opening_scene,
                persona.first_line,
                *persona.fears,
                *persona.protective_beliefs,
                *(line for lines in persona.example_lines.values() for line in lines),
                *(line for fact in persona.facts for line in fact.evasions),
            ]
        )
        common = set(_words(sayable)) | STOPWORDS
        self._keywords = [
            {w for w in _words(f"{fact.content} {fact.disclosure}") if len(w) >= 4} - common
            for fact in persona.facts
        ]
        self._allowed_words = {
            w.lower() for phrase in persona.speech_style.native_words for w in _words(phrase)
        }
        self._scene = " ".join(
            [
                f"{persona.name}, {persona.age}, from {persona.origin}.",
                persona.background,
                persona.opening_scene,
            ]
        )  # what a small model recites instead of answering
        longest_first = sorted({persona.name, *persona.name.split()}, key=len, reverse=True)
        names = "|".join(re.escape(name) for name in longest_first)
        self._label = re.compile(rf"^\s*(\*\*)?({names})(\*\*)?\s*:\s*", re.IGNORECASE)
        own = "|".join(re.escape(n) for n in longest_first if len(n) >= 3)
        self._own_name = re.compile(rf"\b({own})\b", re.IGNORECASE) if own else None
        self._known_text = " ".join([persona.origin, persona.background, persona.setting,
                                     persona.opening_scene, *persona.languages]).lower()

    def clean(self, sentence: str) -> str:
        """Drop the persona's own name label and wrapping quotes, which small models often add."""
        return self._label.sub("", sentence).strip().strip('"“”').strip()

    def check(
        self, sentence: str, officer_text: str, locked: set[str], allowed: set[str]
    ) -> RepairReason | None:
        """The first problem with a (cleaned) sentence, or None when it may be shown."""
        if not _words(sentence):
            return "empty"
        if OUT_OF_ROLE.search(sentence):
            return "out_of_character"
        if AI_MENTION.search(sentence):
            return "ai_mention"
        if CHATBOT.search(sentence):
            return "chatbot"
        if STAGE_OR_INSTRUCTION.search(sentence):
            return "stage_direction"
        if UNSAFE_CONTENT.search(sentence):
            return "unsafe_content"
        if self._foreign(sentence):
            return "language"
        if len(sentence) > self.params.max_sentence_chars:
            return "too_long"
        if self._echoes(sentence, officer_text) or self._echoes(sentence, self._scene):
            return "echo"
        if locked and self._leaks(sentence, locked, allowed):
            return "locked_fact"
        if "name" not in officer_text.lower() and self._third_person(sentence):
            return "third_person"
        if self._contradicts(sentence):
            return "contradiction"
        if not SENTENCE_FINISH.search(sentence):
            return "unfinished"
        if STUTTERED.search(sentence):
            return "garbled"
        return None

    def _third_person(self, sentence: str) -> bool:
        """The persona's own name, other than in introducing themself ("My name is Lan", "I'm Lan")."""
        if self._own_name is None:
            return False
        for match in self._own_name.finditer(sentence):
            before = sentence[: match.start()].lower()
            if not INTRODUCTION.search(before):
                return True
        return False

    def _contradicts(self, sentence: str) -> bool:
        """Another name, age or home than the persona's own."""
        lowered = sentence.lower()
        named = NAME_CLAIM.search(sentence)
        if named and not (self._own_name and self._own_name.fullmatch(named.group("name"))):
            return True
        aged = AGE_CLAIM.search(lowered)
        if aged and int(aged.group(2)) != self.persona.age:
            return True
        home = HOME_CLAIM.search(sentence)
        return bool(home and home.group(2).lower() not in self._known_text)

    def _foreign(self, sentence: str) -> bool:
        words = [w for w in _words(sentence) if w not in self._allowed_words]
        letters = [c for w in words for c in w]
        if not letters:
            return False
        non_latin = sum(1 for c in letters if not unicodedata.name(c, "").startswith("LATIN"))
        if non_latin / len(letters) > self.params.foreign_script_share:
            return True
        return len(words) >= 6 and not ENGLISH_MARKERS & set(words)

    def _echoes(self, sentence: str, officer_text: str) -> bool:
        pairs = _pairs(_words(sentence))
        if len(pairs) < 3:
            return False
        return len(pairs & _pairs(_words(officer_text))) / len(pairs) >= self.params.echo_overlap

    def _similarities(self, sentence: str) -> np.ndarray:
        vector = self.embedder.embed([sentence])[0]
        return (self._fact_vectors @ vector).max(axis=1)

    def _leaks(self, sentence: str, locked: set[str], allowed: set[str]) -> bool:
        similarities = self._similarities(sentence)
        words = set(_words(sentence))
        ceiling = max(
            (similarities[i] for i, f in enumerate(self.persona.facts) if f.id in allowed), default=0.0
        )
        for i, fact in enumerate(self.persona.facts):
            if fact.id not in locked or similarities[i] <= ceiling:
                continue  # closer to something the persona may say than to this locked fact
            if similarities[i] >= self.params.leak_similarity:
                return True
            hits = len(self._keywords[i] & words)
            if hits >= self.params.leak_keywords and similarities[i] >= self.params.leak_keyword_similarity:
                return True
        return False

    def missing(self, text: str, facts: list[Fact]) -> list[Fact]:
        """Released facts the reply did not actually say (the engine then adds the authored words)."""
        sentences = list(stream_sentences(iter([text])))
        if not facts or not sentences:
            return list(facts)
        vectors = self.embedder.embed(sentences)
        index = {fact.id: i for i, fact in enumerate(self.persona.facts)}
        said = " ".join(text.split())  # said word for word, it is covered even if no one sentence matches
        return [
            fact
            for fact in facts
            if " ".join(fact.disclosure.split()) not in said
            and float((vectors @ self._fact_vectors[index[fact.id], 1]).max())
            < self.params.covered_similarity
        ]


class AuthoredReply:
    """A released fact's instructor-authored words: trusted like the fallback line, so not checked."""

    def __init__(self, text: str):
        self._pending = list(stream_sentences(iter([text])))
        self.sentences: list[str] = []
        self.repairs: list[GuardRepair] = []
        self.check_seconds = 0.0

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    def __iter__(self) -> Iterator[str]:
        for sentence in self._pending:
            self.sentences.append(sentence)
            yield sentence


class GuardedReply:
    """Iterate to receive checked sentences as they are generated; `repairs` and `text` fill in as it runs."""

    def __init__(
        self,
        guard: Guard,
        generate: Callable[[int], Iterator[str]],
        officer_text: str,
        locked: set[str],
        allowed: set[str],
        fallback: str,
        earlier_replies: Iterable[str] = (),
    ):
        self.guard, self.generate = guard, generate
        self.officer_text, self.locked, self.allowed, self.fallback = (
            officer_text,
            locked,
            allowed,
            fallback,
        )
        earlier = [s for reply in earlier_replies for s in stream_sentences(iter([reply]))]
        self._said_before = {_normal(s) for s in earlier}
        self._said_pairs = [pairs for s in earlier if len(pairs := _pairs(_words(s))) >= 3]
        self.sentences: list[str] = []
        self.repairs: list[GuardRepair] = []
        self.check_seconds = 0.0  # time spent checking, as opposed to generating

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    def __iter__(self) -> Iterator[str]:
        params = self.guard.params
        attempt = 0
        for attempt in range(params.max_retries + 1):
            yield from self._attempt(attempt)
            if self.sentences:
                return
            if self.repairs and self.repairs[-1].reason == "repetition":
                break  # a model copying its earlier reply mostly copies it again: not worth a generation
        if self.repairs and all(r.reason == "model_error" for r in self.repairs):
            # A dead backend must not be papered over with canned lines that end up in the record.
            raise ChatModelError(
                "The chat model is not answering, so the persona could not reply. "
                "Your message was not recorded: try sending it again."
            )
        self.repairs.append(
            GuardRepair(
                reason=self.repairs[-1].reason if self.repairs else "empty",
                action="fallback",
                attempt=attempt,
            )
        )
        self.sentences.append(self.fallback)
        yield self.fallback

    def _repeats(self, sentence: str) -> bool:
        """Said before in this session, word for word or nearly (most of its word pairs)."""
        if _normal(sentence) in self._said_before | {_normal(s) for s in self.sentences}:
            return True
        pairs = _pairs(_words(sentence))
        return len(pairs) >= 3 and any(
            len(pairs & earlier) / len(pairs | earlier) >= self.guard.params.near_repeat
            for earlier in self._said_pairs)

    def _attempt(self, attempt: int) -> Iterator[str]:
        chunks: Iterator[str] = iter(())
        try:
            chunks = self.generate(attempt)
            for raw in stream_sentences(chunks):
                started = time.perf_counter()
                sentence = self.guard.clean(raw)
                reason = self.guard.check(sentence, self.officer_text, self.locked, self.allowed)
                self.check_seconds += time.perf_counter() - started
                if reason is None and self._repeats(sentence):
                    reason = "repetition"  # small models loop, and copy their earlier replies
                if reason is not None:
                    action = "truncate" if self.sentences else "retry"
                    self.repairs.append(GuardRepair(reason=reason, action=action, attempt=attempt))
                    return
                self.sentences.append(sentence)
                yield sentence
                if len(self.sentences) >= self.guard.params.max_sentences:
                    return  # long enough: stop now rather than generate a sentence to throw away
        except ChatModelError:
            self.repairs.append(
                GuardRepair(
                    reason="model_error", action="truncate" if self.sentences else "retry", attempt=attempt
                )
            )
            return
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # stop the backend generating text nobody will see
        if not self.sentences:
            self.repairs.append(GuardRepair(reason="empty", action="retry", attempt=attempt))
