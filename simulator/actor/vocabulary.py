"""The names the voice uses: what an officer's words do (acts) and the stances a mood answers them in.

Kept apart from acts.py so that persona files can name acts and stances without loading the embedder.
"""

from __future__ import annotations

from typing import Literal

# Earlier acts win: a threat wrapped in a greeting is a threat.
Act = Literal["foreign", "threat", "graphic", "manipulation", "accusation", "pressure", "care", "leading",
              "chitchat", "name", "thanks", "feelings", "process", "greeting"]
ACTS: tuple[str, ...] = Act.__args__
Stance = Literal["open", "wary", "upset", "shut"]
STANCES: dict[str, Stance] = {
    "open_disclosure": "open", "partial_disclosure": "open", "testing": "wary", "guarded": "wary",
    "deflecting": "wary", "minimising": "wary", "distressed": "upset", "shut_down": "shut",
}
