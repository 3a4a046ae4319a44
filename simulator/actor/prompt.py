"""The words a voice model sees for one planned reply.

Two renderings of the same plan: a compact one that the distilled actor was trained on (short, so it
prefills fast: the persona card in the system message, the plan and the officer's words in the user
message), and an instruction prompt with the rules spelled out for a bigger general model. Neither
carries a locked fact, ground truth or the rubric: only what the plan allows.
"""

from __future__ import annotations

import re

from simulator.actor.corpus import Card
from simulator.actor.plan import ReplyPlan
from simulator.llm.base import Message
from simulator.personas import Persona

AIM_HINTS: dict[str, str] = {
    "answer": "answer simply",
    "partial": "say a little, carefully",
    "deflect": "avoid the topic",
    "minimise": "say it is not so bad",
    "deny": "say everything is fine",
    "test": "ask who they are or what will happen to you",
    "refuse": "refuse, ask to stop or leave",
    "quiet": "say very little",
    "comply": "quietly agree, add nothing",
    "correct": "say that is not right",
    "defiant": "push back, hurt or angry",
    "distress": "upset and frightened",
    "accept": "accept, a little warmer",
    "redirect": "puzzled, back to your situation",
    "disclose": "tell this in your own words",
}
STATUS_HINTS = {"locked": "not ready to tell", "told": "already told"}
RULES = ("Reply with only what you say aloud: 1-2 short sentences in the first person, in your own "
         "voice. No actions, no narration, never the officer's words, never mention being an AI. Reveal "
         "nothing about a topic you are not ready to tell, and invent no new facts.")


def card_for(persona: Persona) -> Card:
    """A persona file's actor card: identity, the setting the trainee sees, and the voice."""
    style = persona.speech_style
    return Card(
        id=persona.id, name=persona.name,
        age=persona.age, gender=persona.gender, origin=persona.origin, setting=persona.setting,
        voice=f"{style.language_register}; {style.sentence_length}",
        fears=persona.fears, beliefs=persona.protective_beliefs,
        words=style.native_words[:4],
    )


def system_text(card: Card) -> str:
    """Who is speaking, where, and how: the setting's first sentence and a few of the persona's words
    (a short prompt trains and prefills faster)."""
    setting = re.split(r"(?<=[.;])\s", card.setting.strip(), maxsplit=1)[0]
    lines = [f"You are {card.name}, {card.age}, {card.gender}, from {card.origin}. {setting}",
             f"Voice: {card.voice}."]
    if card.words:
        lines.append(f"Words you use: {', '.join(w.split(' (')[0] for w in card.words[:3])}.")
    return "\n".join(lines)


def plan_text(plan: ReplyPlan | dict, officer: str) -> str:
    """The user message: the officer's words, then the plan (or a corpus example's fields) in short lines."""
    get = (plan_fields(plan) if isinstance(plan, ReplyPlan) else plan).get
    aim = get("aim")
    lines = [f"Officer: {officer}", f"Mood: {get('mood')}. Aim: {aim} ({AIM_HINTS[aim]})."]
    if get("topic"):
        status = get("topic_status")
        lines.append(f"Topic: {get('topic')}" + (f" ({STATUS_HINTS[status]})." if status else "."))
    if get("feeling"):
        lines.append(f"Feeling: {get('feeling')}")
    if get("say"):
        lines.append(f"Say: {get('say')}")
    return "\n".join(lines)


def actor_messages(card: Card, plan: ReplyPlan | dict, officer: str) -> list[Message]:
    """The compact prompt the distilled actor was trained on."""
    return [{"role": "system", "content": system_text(card)},
            {"role": "user", "content": plan_text(plan, officer)}]


def instruction_messages(card: Card, plan: ReplyPlan | dict, officer: str) -> list[Message]:
    """The same plan for a bigger general model, with the rules and the persona's fears spelled out."""
    system = system_text(card)
    if card.fears:
        system += f"\nYou fear: {'; '.join(card.fears)}."
    return [{"role": "system", "content": f"{system}\n{RULES}"},
            {"role": "user", "content": plan_text(plan, officer)}]


def plan_fields(plan: ReplyPlan) -> dict:
    """The plan as a corpus example's fields (say joined into one line)."""
    return {"mood": plan.mode, "aim": plan.aim, "topic": plan.topic, "topic_status": plan.topic_status,
            "feeling": plan.feeling, "say": " ".join(plan.say) or None}
