"""Better wordings for weak utterances: templates keyed by label and flags, filled with the topic."""

from __future__ import annotations

import re

from simulator.feedback import sends_off
from simulator.statement_forms import said_to_someone_else

_TOPIC = re.compile(r"\b(your|the|his|her|their|my)\s+((?:[a-z'-]+\s+){0,2}?[a-z'-]+?)"
                    r"(?=\s+(?:to|at|in|on|for|"
                    r"with|from|when|while|before|after|and|or|but|if|because|so|that|then|right|yeah|"
                    r"didn't|wasn't|weren't|isn't|did|was|were|is|are|ever|every|all|any)\b|[\s,?.!]*$|,)",
                    re.IGNORECASE)
_VAGUE_NOUNS = {"own", "truth", "question", "chance", "way", "time", "first", "same", "case", "story",
                "whole", "end", "point"}
_LEAVING = re.compile(r"\b(leave|left|run|escape|walk out|get away|go back|went back|stay)\b", re.IGNORECASE)


def topic_of(sentence: str) -> str:
    """The first concrete noun phrase ('your passport', 'the farm'), or '' when there is none."""
    for found in _TOPIC.finditer(sentence):
        words = found.group(2).lower().split()
        if words and words[-1] not in _VAGUE_NOUNS and words[0] not in _VAGUE_NOUNS:
            return f"{found.group(1).lower()} {' '.join(words)}"
    return ""


def suggest(sentence: str, question_type: str, tone: str, flags: list[str], recommended: bool,
            whole: str = "") -> str:
    """A rewording for a weak utterance; a follow-up tip for a focused one; '' for a good invitation.
    `sentence` is the one that decided the question type, `whole` the utterance."""
    topic = topic_of(sentence)
    invite = f"Tell me about {topic}." if topic else "Tell me more about that."
    invite_lower = invite[0].lower() + invite[1:]
    if "graphic_detail" in flags:
        return "You don't have to tell me every detail. What happened next?"
    if "manipulation" in flags:
        return "I'm here to listen to you. Tell me what has been happening."
    if "off_topic" in flags:
        return "Thank you for talking to me. Tell me a bit about how things have been for you."
    if "threat" in flags:
        return f"You are not in trouble for what happened to you. {invite}"
    if "blame" in flags:
        if _LEAVING.search(sentence):
            return "It makes sense that it was hard. Tell me what made it difficult to get away."
        return "It makes sense that it was hard. Tell me what was happening for you at that time."
    if "disbelief" in flags:
        return f"Thank you for telling me. Help me understand: {invite_lower}"
    if not recommended and sends_off(whole or sentence, flags):
        return ("Thank you for telling me all this. Before we finish, I'll explain what happens next. "
                "Is there anything you want to ask me?")
    if "pressure" in flags:
        return f"Take your time; you can answer in your own words. When you're ready, {invite_lower}"
    if tone == "harmful" and said_to_someone_else(whole):
        return "Speak to them, not about them: \"Thank you for telling me. Tell me more about that.\""
    if tone == "harmful":
        return f"Thank you for telling me. {invite}"
    if "multiple_questions" in flags:
        return f"Ask one question at a time, starting with an open one: {invite}"
    if not recommended and question_type in ("suggestive", "option_posing"):
        return invite
    if "jargon" in flags:
        return f"Use everyday words, for example: {invite}"
    if question_type == "directive" and recommended:
        return "Good focused question; after the answer, invite more: \"Tell me more about that.\""
    if not recommended:
        return "Follow with an open prompt: \"Tell me more about that.\""
    return ""
