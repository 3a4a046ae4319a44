"""Turn engine and storage objects into text for the app's components, escaped once, for the medium
that shows it.

Officer messages and model replies are untrusted. In Markdown components (feedback, debrief, review,
the downloaded transcript) `inert()` escapes only what Markdown would act on, so `<script>`,
`[click](javascript:...)` or a typed URL show as the text they are, without backslashes before every
full stop or entities for every apostrophe. The chat renders no Markdown at all: its messages are
HTML-escaped text.
"""

from __future__ import annotations

import html
import re

from simulator.labels import Assessment

_LINE_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)  # four spaces would start a code block
_ENTITY = re.compile(r"&(?=#?\w+;)")  # '&lt;' typed as text must not become '<'
_INLINE = re.compile(r"([\\`*_\[\]|~@])")  # emphasis, code, links, tables, strike-through, e-mail links
_LINE_START = re.compile(r"^([#>+=-])", re.MULTILINE)  # headings, quotes, lists, rules, setext underlines
_ORDERED = re.compile(r"^(\d+)([.)])", re.MULTILINE)  # '1.' or '1)' opening a line: an ordered list
_AUTOLINK = re.compile(r"(?<=\w):(?=//)|(?<=\bwww)\.", re.IGNORECASE)  # GFM links bare URLs


def inert(text: str) -> str:
    """Markdown that displays `text` literally: no tags, links, lists or emphasis, and little clutter."""
    text = _LINE_INDENT.sub("", str(text))
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\\\1", text)
    text = _ORDERED.sub(r"\1\\\2", text)
    return _AUTOLINK.sub(lambda match: "\\" + match.group(0), text)


def percent(share: float) -> str:
    return f"{round(100 * share)}%"


def label(value: str) -> str:
    """`option_posing` -> `option posing`: vocabulary ids read as words."""
    return value.replace("_", " ")


def chat_message(role: str, text: str) -> dict:
    """One Chatbot message (Gradio's messages format) for a chat that renders no Markdown: the text
    HTML-escaped, line breaks kept."""
    return {"role": role, "content": html.escape(str(text), quote=False).replace("\n", "<br>")}


def exchange_messages(officer: str, reply: str) -> list[dict]:
    return [chat_message("user", officer), chat_message("assistant", reply)]


def persona_cards_markdown(cards: list[dict]) -> str:
    """The trainee-safe persona cards: who, where, how hard, and what the scenario contains."""
    if not cards:
        return "_No personas are available. Ask an instructor to add one in the Persona studio._"
    blocks = []
    for card in cards:
        blocks.append(
            f"**{inert(card['name'])}**, {card['age']} · {inert(label(card['difficulty']))}  \n"
            f"{inert(card['setting'])}  \n"
            f"_Content note: {inert(card['content_note'])}_"
        )
    return "\n\n".join(blocks)


def persona_choice_label(card: dict) -> str:
    return f"{card['name']}, {card['age']} ({label(card['difficulty'])})"


def feedback_markdown(assessment: Assessment) -> str:
    """Live feedback on one officer message: type, verdict, one plain sentence on why and a better wording
    (cues, probabilities and exemplars are in the assessment's evidence, for assessors)."""
    verdict = "✓ recommended" if assessment.recommended else "⚠ not recommended"
    lines = [
        f"**Your message:** {inert(assessment.text)}",
        f"**Question type:** {inert(label(assessment.question_type))} · **tone:** {inert(assessment.tone)}"
        f" · {verdict}",
    ]
    if assessment.explanation:
        lines.append(f"**Why:** {inert(assessment.explanation)}")
    if assessment.suggestion and not assessment.recommended:
        lines.append(f"**Try instead:** {inert(assessment.suggestion)}")
    return "\n\n".join(lines)


def gauge_markdown(trust: float, fear: float) -> str:
    """A text gauge (shown only when the instructor setting `show_gauges` is on)."""
    return f"**Trust** {_bar(trust)} {percent(trust)}  \n**Fear** {_bar(fear)} {percent(fear)}"


def _bar(value: float, width: int = 10) -> str:
    filled = round(max(0.0, min(1.0, value)) * width)
    return "▮" * filled + "▯" * (width - filled)
