"""A persona's temperament: how this person, not people in general, takes an officer's words.

Two personas interviewed the same way should not feel the same: a frightened 16-year-old gives way
to a leading question, a smuggled man who is free to leave gets irritated rather than terrified.
Every value is 0-1 and 0.5 is "average"; the state maths turns each into a multiplier around 1.
Authors may set any subset; the rest comes from defaults by age and situation.
"""

from __future__ import annotations

from pydantic import Field

from simulator.datafiles import StrictModel


class Temperament(StrictModel):
    # Absorbs fear: a fear rise is scaled by 1.5 - resilience (0.5 -> as written, 1.0 -> halved).
    resilience: float = Field(default=0.5, ge=0.0, le=1.0)
    # Gives way to suggestion: the base chance of a compliant "yes" to a leading question.
    suggestibility: float = Field(default=0.4, ge=0.0, le=1.0)
    # How hard hostility lands on trust (x 0.5 + volatility) and how often it turns to defiance.
    volatility: float = Field(default=0.4, ge=0.0, le=1.0)
    # Trust in police before the interview: trust gains are scaled by 0.5 + police_trust.
    police_trust: float = Field(default=0.5, ge=0.0, le=1.0)
    # How fast hurt heals and fear settles after a sincere repair (x 0.5 + recovery).
    recovery: float = Field(default=0.5, ge=0.0, le=1.0)


# Defaults by situation; a minor's values then override where they apply (see default_temperament).
ADULT_VICTIM = {"resilience": 0.5, "suggestibility": 0.4, "volatility": 0.4, "police_trust": 0.4,
                "recovery": 0.5}
LOOK_ALIKE = {"resilience": 0.75, "suggestibility": 0.25, "volatility": 0.6, "police_trust": 0.45,
              "recovery": 0.6}  # not exploited: wary and irritated, not terrified
MINOR = {"resilience": 0.35, "suggestibility": 0.65, "volatility": 0.6}  # children give way and flare up


def default_temperament(age: object, exploitation_type: object) -> dict[str, float]:
    """The values an author did not set, from age and situation (bad inputs fall back to an adult
    victim: the persona's own validation reports them)."""
    values = dict(LOOK_ALIKE if exploitation_type == "none" else ADULT_VICTIM)
    if isinstance(age, int) and age < 18:
        values.update(MINOR)
    return values
