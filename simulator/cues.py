"""Transparent linguistic cues: how a sentence opens, tag questions, blame, threats, offers of choice.

Pure functions over text. Each cue carries the words that triggered it and the evidence it adds to
a label (in logits, added to the exemplar-similarity logits), so every label can be explained.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

STRONG = 6.0  # a cue that decides the label on its own
CLEAR = 4.0  # a cue that usually decides, unless the exemplars strongly disagree
MILD = 2.0  # a hint for the exemplars to confirm

LONG_UTTERANCE_WORDS = 40


@dataclass(frozen=True)
class Cue:
    """One piece of linguistic evidence found in a sentence."""

    name: str
    match: str
    flags: tuple[str, ...] = ()
    question_type: dict[str, float] = field(default_factory=dict)
    tone: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CuePattern:
    name: str
    pattern: re.Pattern[str]
    flags: tuple[str, ...] = ()
    question_type: dict[str, float] = field(default_factory=dict)
    tone: dict[str, float] = field(default_factory=dict)
    unless: re.Pattern[str] | None = None  # context that cancels the cue ("nobody will deport you")

    def find(self, text: str) -> Cue | None:
        found = self.pattern.search(text)
        if not found or (self.unless and self.unless.search(text)):
            return None
        return Cue(self.name, found.group(0).strip(), self.flags, self.question_type, self.tone)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]*[A-Z0-9])")
_FILLERS = _rx(
    r"^(?:(?:and|so|ok|okay|right|well|now|then|uh|um|erm|hmm|mm-hmm|mm|oh|hi|yeah|yes|but|alright|all right|"
    r"sorry|also|just|like|maybe|i mean|let me ask you( this)?|i wonder|i'm wondering|i'm curious|"
    r"i(?:'m| am)? (?:just )?(?:want(?:ed)?|would like|'d like) to (?:simply |just )?ask(?: you)?)\b[,\s]*"
    r"|(?:can|could|may) i (?:just )?ask(?: you)?\b[,\s]*(?:uh\b[,\s]*)?"
    r"|when you(?:'re| are) ready\b[,\s]*|in your own time\b[,\s]*)+"
)
_WH_OPENING = _rx(r"^((in|on|for|to|from|with|at|by) )?(what|where|when|who|whom|whose|which|why|how)\b")
_STUTTER = re.compile(r"\b(\w+)-+\s*(?=\1)", re.IGNORECASE)  # "wh-what", "and-and"
_AUX_OPENING = _rx(
    r"^(did|do|does|is|are|was|were|have|has|had|can|could|would|will|shall|should|may|might|am)\b"
)
_NEGATIVE_AUX_OPENING = _rx(r"^(isn't|aren't|wasn't|weren't|didn't|don't|doesn't|haven't|hasn't|won't|"
                            r"wouldn't|couldn't|can't|shouldn't)\b")
_WH_CLAUSE = _rx(r"^(what|where|when|who|how)\s+(i|you|he|she|they|we)\b")
_WH_WITH_AUXILIARY = _rx(r"^((in|on|for|to|from|with|at|by) )?(what|where|when|who|whom|whose|which|why|how)"
                         r"(\s+\w+)?\s+(did|do|does|is|are|was|were|can|could|would|will|have|has|had|'s|"
                         r"'re)(n't)?\b")
_QUESTION_OPENING = _rx(
    r"^((what|where|when|who|whom|whose|which|why|how)\b|(can|could|would|will) you (please )?(tell|describe|"
    r"explain|give)\b|(did|do|does|is|are|was|were|have|has|had)\s+(i|you|he|she|it|we|they|there|anyone|"
    r"anybody)\b)"
)
_NARRATIVE_REQUEST = _rx(
    r"^((can|could|would|will) you|you (could|might|can)) (please )?(tell|describe|explain|walk|talk|take me|"
    r"share|go through|"
    r"say (a bit )?more|give me an? (rough |general |quick )?(idea|example|sense))\b"
    r"|^(i'd|i would) (really )?(like|love|appreciate it|be grateful) if you (could|would) (please )?"
    r"(tell|describe|explain|walk|talk|share)\b"
)
_FAUX_INVITATION = _rx(r"^(please )?(tell|show) me (whether|if)\b")
# "Is there anything else you want to tell me?" asks for more of the account in the person's own words: an
# invitation in the NICHD protocol's closing, though shaped like a yes/no question. Asking whether they have
# a question or a need ("anything you want to ask me?") stays a yes/no question.
CLOSING_INVITATION = "closing invitation ('Is there anything else you want to tell me?')"
_CLOSING_INVITATION = _rx(
    r"^((is|was) there )?(anything|something) (else |more )?(about .{1,60}? )?(that )?"
    r"(you('d| would)? (really )?(like|want|wish|need)( me)? to (tell|add|say|share|mention|know|talk about)|"
    r"(you )?(think |feel )?(i|we) (should|ought to|need to|must) (know|hear|have asked)|"
    r"(i|we) (haven't|didn't|did not|have not) ask)"
)
# A summary the officer checks with the person ("So you worked six days a week. Is that right?") is a
# yes/no question about their own account, not a leading one: it opens as a summary, and the check is a
# sentence of its own or follows an explicit "let me check".
_CONFIRMATION = _rx(
    r"^(and |so )?((is|was) (that|this|it) (right|correct|accurate|true|so|about it|about right|"
    r"what you'?re saying|what you said|what happened)|(that|this) (right|correct|accurate)|right|correct|"
    r"yes|yeah|okay|ok|(have|did) i (got|get|understood|understand|heard|hear|say|said|written|write) "
    r"(that|this|it|you|everything|all that)?\s*(right|correctly|properly)?|(do|did) i have (that|this|it) "
    r"right)\s*\?$"
)
_SUMMARY_EXPLICIT_OPENINGS = (
    r"you('re| are) (saying|telling me)|let me (just )?(check|confirm|make sure|see if|read|sum)|"
    r"just to (check|confirm|be clear|make sure)|to (check|recap|sum up|summari[sz]e)|"
    r"if i('ve| have) (understood|got)|i('ve| have) (written|noted|put) (down )?(that|here)|"
    r"so,? (just )?to (check|recap|sum up|be clear)"
)
_SUMMARY_EXPLICIT = _rx(rf"^({_SUMMARY_EXPLICIT_OPENINGS})")
_SUMMARY_OPENING = _rx(rf"^(so\b|you (said|told me|mentioned)|so far you|{_SUMMARY_EXPLICIT_OPENINGS})")
_SELF_CHECK = _rx(r"\b(what you('re| are) saying|what you said|(have|did) i (got|get|understood|understand|"
                  r"heard|hear|say|said|written|write)|(do|did) i have (that|this|it) right)\b")
_IMPERATIVE_DETAIL = _rx(
    r"^(please )?tell me (who|where|when|which|how many|how much|how old|what time|the name)\b"
)
_IMPERATIVE_INVITATION = _rx(
    r"^(please )?(tell|describe|explain|talk|walk|take me|go on|think back|start|carry on|keep going|"
    r"go ahead|say more)\b|(\band\b|,|;)\s*(please )?(tell me|describe|walk me through|talk me through)\s+"
    r"(about|what|how|why|more|everything|again|in|the|a little|a bit)\b"
)
_INDIRECT_QUESTION = _rx(
    r"\b(ask(ing)? you|wonder(ing)?|curious( about)?|interested in|imagine)\s+(how|what|why|where|when|who|"
    r"which)\b|^any (thoughts|ideas)\b"
)
_OPEN_WH = _rx(
    r"^(what happened(?! to)|what else|what (was|were|is|are) (it|things|.{1,40}) like|"
    r"what did you do (next|then|after)|how did (it|that|things) (go|start|end|come about)|"
    r"how did you come to|what do you remember)"
)
_TAG_QUESTION = _rx(
    r",\s*(\w+n'?t|did|do|does|is|are|was|were|have|has|had|can|could|would|will)\s+"
    r"(i|you|he|she|it|we|they|there)\s*\?$"
)
_WORD_TAG = _rx(
    r"(,|^)\s*(right|yeah|yes|no|correct|okay|ok|true|isn't that (right|so|true)|is that (right|correct|so)|"
    r"am i right|i assume|i'm guessing|i guess|i take it|i suppose)\s*\?$"
)
_EITHER_OR = _rx(r"\bor\b(?! not\b| (anything|something|someone|somewhere|whatever|what)\b)")
_WORD = re.compile(r"[A-Za-z0-9']+")
_MISSING_APOSTROPHE = _rx(r"\b(did|do|does|is|are|was|were|has|have|had|could|would|should|ca|wo)nt\b")



def phrases(*alternatives: str) -> re.Pattern[str]:
    """One pattern matching any of the phrases as whole words; a family of cues reads as a list."""
    return _rx(r"\b(" + "|".join(alternatives) + r")\b")


# What turns a chat line into harm: an insinuation about how something was paid for, an invitation home.
_FAMILIARITY_OR_INSINUATION = _rx(
    r"\b(bet|suppose|bought|paid for|pocket money|paper round|staff discount|come (to|out to|and stay)|"
    r"stay at my|"
    r"take you home|my place|sweetheart|fairy tale|had it worse|don't tell|out of it|paying you)\b")


# The person sent off once the officer has what they wanted ("That's plenty, off you go.", "We're done here.
# Next one, please."); a kind close ("that's enough for today", "once we're done, …") is not one. Plain
# strings, shared with the trainee's feedback (simulator.feedback), which suggests a kind close instead.
SENDING_OFF = (
    r"off you go", r"(^|[,.!;] ?)go now", r"door'?s behind you", r"next (one|box),? please",
    r"(that's|that is) (all|everything|plenty|enough),? (we|i) need",
    r"(that's|that is) (plenty|enough)(?! for (today|now)| (of|on|about)\b)",  # "… enough of that": rushing
    r"(?<!once )(?<!when )(?<!after )(we're|we are) (done|finished)(?! for (today|now))",
    r"thanks for nothing",
)


# Threats: a consequence (deportation, arrest, custody, losing a visa or one's children) tied to a condition
# ("if you don't", "unless", "or…", "keep this up and…") or announced by the officer.
_AUTHORITY = r"immigration|ice|the border|the home office"
_CONSEQUENCE = "|".join((
    r"deport\w*", r"arrest\w*", r"jail", r"prison", r"cell\b(?! ?phone)", r"custody", r"(flight|plane) out",
    r"locked up", r"lock you up", r"charges", r"charged", r"prosecut\w*", r"removed", r"removal", r"detained",
    r"detention", r"sent (back|home)", r"send you (back|home)", r"back where you came from",
    r"next (plane|flight)", r"plane (back )?home", r"foster care", r"into care", r"social services", r"visa",
    r"green card", r"residence permit", r"your status", r"ice", r"immigration", r"border", r"trouble",
    r"consequences", r"lose your (kids|children|job|visa)", r"permission to stay", r"leave to remain",
    r"right to (stay|remain|work)"))
_CONDITION = "|".join((
    r"if you (don't|do not|won't|refuse|keep|lie|carry on)", r"unless you", r"or else",
    r"\bor (your|you|i|we|they|ice|immigration)\b", r"keep this up", r"carry on like this", r"lie to me",
    r"one (phone )?call", r"depends? on (what|whether|how)", r"otherwise"))
# Reported or denied consequences are not threats: "Who told you you'd be arrested?", "Nobody deports you".
_REPORTED_OR_DENIED = _rx(r"\b(told|said|says|threaten\w*|warned|claimed|scared|afraid|worried|frightened|"
                          r"nobody|no one|never|(?<!do )not (be|in|with|going|get|under)|"
                          r"won't (be|get|happen)|"
                          r"isn't|aren't|doesn't|"
                          # uncertainty, not a threat: "I can't tell you today whether you'll be charged"
                          # unless a condition holds it over the answer ("...if you keep lying")
                          r"(can't|cannot|don't|do not) (yet )?(tell|say|know)( you)?( yet| today| now)? "
                          rf"(whether|if|what|how)\b(?!.*({_CONDITION})))\b")
# An honest limit names what the officer will do instead: "I can't promise you'll get the money back, but I
# will pass this on" (blind set 14: three such lines were called threats).
_HONEST_LIMIT = _rx(r"\b(but|what) (i|we)( can(?!'t|not| not)| will(?! not)|'ll| am going to|'m going to)\b|"
                    r"rather be honest|(isn't|not) my decision")
_PUNISHMENT = _rx(r"\b(a cell|jail|prison|custody|deport\w*|arrest\w*|charges|locked up)\b")
_REPORTED_THREAT = _rx(r"\b((did|has|have|had) (they|he|she|anyone|someone|somebody|the \w+) (ever )?"
                       r"(threaten|say|tell|warn|mention)\w*|who (told|said|threatened|warned)|"
                       r"what did (they|he|she|the \w+) (say|tell|threaten|warn)\w*)\b")

_PATTERNS: tuple[CuePattern, ...] = (
    # leading
    CuePattern("leading phrase", _rx(r"\b(isn't it (true|the case)|is it not true|wouldn't you (agree|say)|"
                                     r"don't you think|surely|you must have|i bet|obviously|let's be honest|"
                                     r"admit (it|that)|we both know|i('m| am) sure (he|she|they|you))\b"),
               ("leading",), question_type={"suggestive": STRONG}),
    # harmful
    CuePattern("blame ('why didn't you')", _rx(r"\bwhy (didn't|did not|wouldn't|couldn't|did you not|"
                                               r"would you ever|would you|did you let|did you agree|"
                                               r"did you never|did you (keep|stay|go back|get in|put up|"
                                               r"trust|hand|go with|carry on|continue))\b"),
               ("blame",), tone={"harmful": STRONG}),
    CuePattern("blame ('why did you')", _rx(r"\bwhy did you (?!think|feel|say|mean)\w+"),
               ("blame",), tone={"harmful": CLEAR}),
    CuePattern("blame", phrases(
        r"should(n't| not)? have (known|left|gone|come|said|told|realised)", r"brought (this|it) on yourself",
        r"(it's|it is|it was|that's) your (own )?fault", r"how could you", r"how can you (be|let|not)",
        r"so stupid", r"what did you expect", r"you chose (to|this|that|it)", r"(nobody|no one) made you",
        r"you agreed to", r"willingly", r"so you (accepted|agreed|consented|chose|wanted)",
        r"you (could|should|ought to)( have|'ve| of) (?!been\b)\w+",  # not "you could have been killed"
        r"you let (him|her|them|it|this|that|these|those|people)", r"you knew (it|this|that) was wrong",
        r"(did you not|didn't you|what were you) think(ing)?",
        r"(did|didn't) it (not )?occur to you",
        r"never occurred to you", r"none of this would (have|'ve) happened",
        r"if (only )?you('d| had)( only| just)? (listened|stayed|thought|asked|said|told|been|gone|called|"
        r"left|not|never|done|used)",
        r"let them do", r"your choice to", r"you liked the money", r"just wanted the money",
        r"(don't|stop|quit) complain\w*", r"(late|no point|no use) (to |in )?complain\w*", r"you're an adult",
        r"only yourself to blame", r"can't have been (that|so|too|all that) bad", r"wasn't (that|so) bad",
        r"get over it", r"(common sense|half a brain|any sense|a sensible person|a normal person) would",
        r"you knew (what|exactly|full well)", r"happy (enough )?to take",
        # every author who wrote one labelled it harmful: knowing is the blame
        r"you must( have|'ve| of) known", r"you (surely|obviously|clearly) knew",
        r"your (family|parents|mother|father|mum|mom|dad|cousin|uncle|aunt|auntie|brother|sister)"
        r" must( have|'ve| of) known"),
               ("blame",), tone={"harmful": STRONG}),
    CuePattern("threat", phrases(
        r"you('ll| will| could| would| might| can| may|'re going to| are going to|'re gonna| are gonna)"
        rf"( \w+){{0,2}} (be|go|get|end up|spend)\b.*\b({_CONSEQUENCE})",
        rf"({_CONDITION})\b.*\b({_CONSEQUENCE})", rf"({_CONSEQUENCE})\b.*\b({_CONDITION})",
        rf"want to (be|get|go|spend|end up)\b.*\b({_CONSEQUENCE})",
        r"(you're|you are) in (a lot of |big |serious |real )?trouble",
        r"(i|we)('ll| will| can| could| might|'m going to| am going to|'re going to| are going to)"
        r"( easily| just| always)? (have you |get you )?(deport|arrest|charge|call (ice|immigration)|"
        r"send you|lock you|put you|hand you|report you)",
        r"(i|we)('ll| will| can| could| might)( \w+)? (tell|inform|let|call|contact|notify|alert) "
        rf"({_AUTHORITY})",
        rf"({_AUTHORITY}) (is|are|will be|'ll be|would be|is gonna|is going to)( very)? "
        r"(interested|want|keen|informed|told|hearing)",
        r"(i|we) (can|could|will|'ll) (make sure|see to it|ensure) (that )?you('re| are)? "
        r"(on|sent|deported|removed|arrested|charged|locked)",
        r"you('re| are) going (straight )?to (a |the )?(\w+ )?(cell|jail|prison)",
        r"(get|have) your( \w+){1,2} (denied|revoked|cancell?ed|refused|rejected|taken away)",
        r"(visa|green card|permit|status|application) (will|could|can|might|would) be "
        r"(revoked|denied|cancell?ed|refused|rejected)"),
               ("threat",), tone={"harmful": STRONG}, unless=_REPORTED_OR_DENIED),
    CuePattern("asks about someone else's threat", _REPORTED_THREAT, tone={"harmful": -CLEAR}),
    CuePattern("disbelief", phrases(
        r"(don't|do not) believe", r"expect me to (believe|swallow|buy|accept)", r"why should i believe",
        r"(supposed|expected) to believe", r"(find|finding) (that|this|it|your \w+) (very |really |quite |"
        r"a bit |pretty |extremely )?(hard|difficult) to believe",
        r"you('re| are) (obviously |clearly |just )?lying", r"lying to me",
        r"making (this|it|that|things) up", r"(sounds|seems|totally|all) made up", r"doesn't add up",
        r"heard (this|that)( exact)? story", r"one of your stories",
        r"(sob|sad|nice|good|lovely|likely) story",
        r"(the|a) real (one|story|version)", r"(are|were) you (even )?telling (me )?the truth",
        r"pull the other one", r"(only |just )?saying (this|that|it) (to|so)", r"keeps changing",
        r"(story|account|version) (has|keeps|kept) chang\w*", r"changed your story",
        r"seriously (telling|expect)",
        r"not credible", r"isn't credible", r"not believable", r"hardly believable", r"(made|makes) no sense",
        r"(not|isn't) what (really )?happened", r"yeah,? right",
        r"(nobody|no one) (buys|believes|would believe)",
        r"kidding me", r"come off it", r"only (remember|mention|recall)\w* (that|this|it) now",
        r"suddenly remember\w*", r"seem to remember (some|certain)", r"never once",
        r"(how|very|that's|isn't that) (very )?convenient", r"what a coincidence",
        r"this time,? tell( me)? the truth", r"the truth this time", r"like you did before", r"for once",
        r"think i'm (stupid|an idiot|a fool|born yesterday)",
        r"only (telling|saying|mentioning) (us|me|this|it|that) now", r"remarkably calm",
        r"(odd|strange|funny|curious) that you never", r"convenient to claim", r"what actually happened",
        r"heartbreaking story",
        r"why would (he|she|they|anyone|someone|your \w+|the \w+) (say|claim|tell (us|me|the police)|"
        r"lie about|make (that|this|it) up)",
        r"(want|like) to change (what you (said|told)|your (story|answer|version))",
        r"calling (him|her|them|me|us|the \w+) a liar", r"let's drop the act", r"(let's|let us) not pretend",
        r"pretending (you|that you) (were|was|are)"),
               ("disbelief",), tone={"harmful": STRONG}),
    CuePattern("sarcasm", phrases(
        r"oh,? (great|wonderful|brilliant|lovely|sure|please)",
        r"(brilliant|great|wonderful|perfect|lovely),? so",
        r"let me guess", r"what a surprise", r"surprise,? surprise", r"fell into your lap",
        r"(that|it) happens every day", r"of course you (did|didn't|were|weren't|can't|couldn't)",
        r"so now you", r"sounds like a (party|holiday|good deal|sweet deal|nice life|dream|laugh|bargain)",
        r"fairy godmother", r"tooth fairy"),
               ("disbelief",), tone={"harmful": STRONG}),
    CuePattern("pressure", phrases(
        r"just answer", r"answer the question", r"answer me", r"hurry\w* (up|along)", r"on the clock",
        r"(haven't got|(don't|do not) have) all day",
        r"(no|don't have|haven't got|do not have) time for (this|that|you)",
        r"stop wasting", r"wast(e|ing) (my|our|police|everyone's) time",
        r"(don't|do not) waste (time|my time)",
        r"stop crying",
        r"(enough|with|of|stop) (of )?(the|your|all the|all this) (crying|tears|sobbing|whining|"
        r"excuses|drama)",
        r"spit it out", r"come on", r"all night until", r"get on with it", r"going to answer", r"quickly now",
        r"get to the point", r"cut to the chase", r"speed (this|it|things) up", r"quicker with",
        r"(shorter|quicker|faster) answers", r"make it quick", r"be quick", r"keep it (short|brief)",
        r"drag (this|it|things) out", r"round in circles", r"stick to (yes|the facts|the question)",
        r"just the facts", r"(whole|entire) life story", r"(quit|stop) stalling", r"straight answer",
        r"spare me",
        r"the sooner you", r"people like you",
        r"(just|simply) (say|tell me|answer) (yes|no)\b",
        r"(i need|i want|give me) (a |an answer,? )?(yes|no)\b",
        r"(answer|it's a|that's a) (simple )?yes or no", r"^(just )?yes or no\b",
        r"yes or no(?=\s*[:,?]|\s*$)",  # "…, yes or no?": the answer forced
        r"one[- ]word answer", r"(nod|shake your head) if"),
               ("pressure",), tone={"harmful": STRONG},
               unless=_rx(r"\b(you (can|could|may) (just )?(say|nod|answer|tell)|"
                          r"if (it's|that's|you find it) "
                          r"easier|(don't|do not) have to)\b")),
    # rushing dressed as thanks: the account cut short for the officer's time ("Thanks, that's enough.")
    CuePattern("rushes past the account", phrases(
        r"pick up the pace", r"(go|move|get through this) (a bit |a little )?(quicker|faster)",
        r"short answers",
        r"enough (of|on|about) the", r"(that's|that is) (plenty|enough) (of|on|about)",
        r"(we|i) (don't|do not) need the (whole|full|rest)",
        r"skip the (rest|details|whole)", r"(fill in|sort out|do) the rest (myself|ourselves|without you)",
        r"next question", r"that'll do( us)?", r"(i've|i have) got a meeting",
        r"(we're|we are) (very |really )?behind",
        r"wrap up the", r"(out|done) in (ten|five|two|\d+) minutes", r"dates,? please",
        r"just the (date|dates|names|amounts|key points|main points)",
        *SENDING_OFF,
        r"(don't|do not) need the tears", r"the feelings part", r"i'?m sure you're (very |really )?busy",
        r"(\w+ )?more (of you|people|interviews) to (get through|see|do)", r"to get through before"),
               ("pressure",), tone={"harmful": CLEAR}),
    CuePattern("rushed ending ('…, quickly.')", _rx(r"(,|\band)\s*(quick(ly)?|right now|immediately)[.!?]*$"),
               ("pressure",), tone={"harmful": STRONG}),
    CuePattern("judgment or contempt", phrases(
        r"pathetic", r"ridiculous", r"disgusting", r"disgrace\w*", r"shameful", r"hysterical", r"you people",
        r"your kind", r"(girls|women|people) (like you|who work)", r"getting into", r"asked for it",
        r"asking for it", r"deserved (it|this|what)", r"got what you", r"handed to you", r"grow up",
        r"man up",
        r"toughen up", r"babysit\w*", r"hold your hand", r"not exactly (an? )?(innocent|victim|angel|saint)",
        r"(in no|in your) position to", r"making demands", r"(hard|difficult) to feel sorry",
        r"(no|little) sympathy",
        r"breaking the law", r"an illegal", r"illegals",
        r"what kind of (mother|father|parent|person|woman|man|girl|wife)",
        r"(why|how|what) (on earth|the hell|the heck) (would|did|were|do|could|was|made) you",
        r"how (do|did|can|could) you not", r"who (falls|would fall|would believe|in their right mind)",
        r"^whatever(?=,)", r"(your|that) line of work",
        r"(know|knew|knows|understand|understood) the risks", r"comes with the (job|territory)",
        r"part of the (job|deal)", r"what did you (think|expect) would happen",
        r"pull yourself together", r"no need to (get|be) (so )?upset", r"(don't|do not) need the feelings",
        r"no breaks", r"we've (already )?(covered|been over) (that|this)", r"speak english properly",
        r"look at me when", r"something to hide", r"where you come from", r"superstitions?",
        r"draw you a picture", r"you can read,? can't you", r"(doesn't|does not) sound (that|so|too) bad",
        r"fancy a drink", r"seeing anyone", r"nasty man", r"useless bot",
        # moralising and futility: the officer's verdict, not the person's account
        r"should be ashamed", r"ashamed of yourself",
        r"what (do |did |else did )?you expect (us|me|the police) to do",
        r"nothing (will|is going to) come of"),
               ("blame",), tone={"harmful": STRONG}),
    # requests for graphic or sexual detail: leave that to a specialist forensic interview
    CuePattern("asks for graphic detail", _rx(
        r"\b(describe|detail|explain|tell me|walk me through|talk me through|go through|list|show me)\b"
        r".{0,40}\b"
        r"(sex(ual)? acts?|the sex|"
        r"(what|how) (he|they|she|the \w+) (did to|touched|raped|abused) (you|your body)|"
        r"positions?\b.{0,20}\b(sex|bed)|how (he|they|she) (raped|penetrated|undressed))"
        r"|\bexactly (what|how|where) (he|they|she|the \w+) (did to you|touched|raped|abused|undressed)"
        r"|\bwhat exactly did (he|they|she|the \w+) do\b.{0,30}\b(to you|with you|(your|the|his|a) (\w+ )?"
        r"(bed)?room|in bed)"
        r"|\beverything (he|they|she|the \w+) did to (you|your body)\b"
        r"|^(?=.*\b(sex\w*|rap(e|ed|ing)|touch\w*|naked|undress\w*|body|bed|bedroom|abus\w*|did to you|"
        r"forced|clothes|penetrat\w*|private parts)\b).*\b("
        r"(in|with) (every|full|graphic|exact|explicit|precise|great|intimate|all the|complete) details?|"
        r"every (single |last )?detail|blow by blow|step by step|"
        r"second by second|minute by minute|(leave|leaving) nothing out)"),
               ("graphic_detail",), tone={"harmful": STRONG}),
    CuePattern("asks for graphic detail of injuries", _rx(
        r"\b(describe|tell me|show me|walk me through)\b.{0,60}\b(burns?|wounds?|injur\w+|marks?|bruis\w+|"
        r"scars?|blood|cuts?)\b.{0,60}\b(in (full |great )?detail|exactly|all the details|every detail|"
        r"what (it|they) looked like)"
        r"|\b(all the details|in (full |great )?detail|exactly)\b.{0,40}\bwhat (it|they|(his|her|their|the) "
        r"\w+) looked like"
        r"|\bevery movement\b|\bwhere (his|her|their) hands (went|were)\b"),
               ("graphic_detail",), tone={"harmful": STRONG}),
    CuePattern("asks about sexual detail", phrases(
        r"(which|what) positions?", r"clothes (came|come|were|got) off", r"what (were|was) you wearing",
        r"underwear", r"virgin", r"enjoy(ed)? any of (it|that|this)", r"kinky",
        r"describe (his|her|their) body", r"(picture|imagine) it\b", r"how did it feel,? physically",
        r"(men|clients|punters|customers) a (night|day)",
        r"what did (they|he|she|each of them) want from you",
        r"(sort|kind) of things did (the )?(punters|clients|customers|men) (ask|want)",
        r"(did|do) (they|he|she|the \w+) do to you,? exactly",
        r"(don't|do not) leave (anything|any of it|a thing) out",
        r"(which|what) (services|extras)\b.{0,30}\b(clients|customers|punters|men) (asked|wanted|paid|"
        r"requested)",
        r"(use|used|using|wear|wore|wearing) (a |any )?(protection|condoms?)"),
               ("graphic_detail",), tone={"harmful": STRONG}),
    # veiled threats and inducements: a consequence or a reward held over the answer
    CuePattern("veiled threat or inducement", phrases(
        r"(go|be) (a lot |much |so much )?easier (for you )?if you", r"under caution",
        r"(immigration|the home office|border force) (are|is) (just )?(down the (corridor|hall)|next door|"
        r"outside|in the building|waiting)",
        r"take an interest in your",
        r"(write|put)( down)? .{0,15}uncooperative", r"when you('ve| have) told me the truth",
        r"if you want (the|your) (support|help|package|phone|visa|papers|passport)",
        r"while i can still protect you", r"be a (pity|shame) if", r"something we could look into",
        r"the (friendly|easy|nice) way", r"what happens to (grasses|snitches)", r"only one holding back",
        r"think (very |really |long and )?(carefully |hard )?about your (future|family|kids|children|visa|"
        r"status|position)\b.{0,40}\bbefore you", r"your future (here|in this country)",
        r"more than that,? or\b", r"or (this|it|that|the \w+) (goes|will go|is going) nowhere"),
               ("threat",), tone={"harmful": STRONG}),
    # a reward held over the answer: status, charges or money in exchange for a statement
    CuePattern("bargain", phrases(
        r"(i|we)('ll| will)( personally)? (make sure|see to it|ensure) (that )?(immigration|the home office|"
        r"ice|border force|nobody|no one)\b.{0,30}\b(hears?|knows?|finds? out)",
        r"^(just )?(give|tell|name|show)\b.{3,120}\band\b.{0,40}\b(i('ll| will)|we('ll| will))( personally)?"
        r" (make sure|see what (i|we) can do|put in a (good )?word|sort out|look after)",
        r"^(just )?(give|tell|name|show)\b.{3,120}\band\b.{0,20}\b(the |your |that )?(\w+ )?"
        r"charges? (disappears?|goes away|go away|(is|are|will be|gets?) dropped)",
        r"if you (say|tell|give|sign|agree|confirm|name|help|cooperate|play ball)\b.{0,80}\b(faster|quicker|"
        r"sooner|go away|disappears?|dropped|see what (i|we) can do|put in a (good )?word|lenien\w*)",
        r"no (names?|statement|information|cooperation|help),? no (favou?rs|deal|help|visa|papers|support)"),
               ("threat",), tone={"harmful": STRONG}),
    CuePattern("implied blame or sarcasm", phrases(
        r"(were|had) you (been )?(drinking|drunk|high)", r"how much had you (had to )?drink",
        r"just happened to"),
               tone={"harmful": CLEAR}),
    CuePattern("no promise held over the answer",
               phrases(r"can't (guarantee|promise) (your|that|you|the|social)"),
               ("threat",), tone={"harmful": STRONG}, unless=_HONEST_LIMIT),
    # not the interview: small talk, or talking to the program behind the persona
    CuePattern("small talk", phrases(
        r"(what's|what is|what are) your favou?rite",
        r"favou?rite (food|colou?r|film|movie|song|band|team|book|animal|meal|singer|tv show|sport)",
        r"(what's|what is|how is|how's) the weather", r"(nice|lovely|terrible|awful|horrible) weather",
        r"did you (see|watch|catch) the (match|game|football)",
        r"(do|did) you (like|follow|support|watch|play) (football|soccer|cricket|sports?|video games)",
        r"(tell me|know) (a|any) jokes?", r"(this|next|at the) weekend\b.{0,20}\b(plans|doing|up to)",
        r"(any|got any|your) hobbies", r"star sign", r"who (do you think )?will win",
        r"recommend a good (film|movie|book|restaurant|place)", r"(answer|reply to) (this|a) text",
        r"is this thing on", r"how long is this (training|course|thing)", r"on holiday once",
        r"what (music|films|movies|tv|sports?) do you (like|watch|listen)",
        # sport
        r"(do|did) you (like|follow|support|play|watch) (any |the )?(football|soccer|rugby|cricket|hockey|"
        r"cycling|basketball|baseball)", r"(you|do you) follow (the|any) (football|rugby|cricket|hockey)",
        r"(who's|who is|which is) your team", r"which (football )?team do you (support|like|follow)",
        r"did you (see|watch|catch) the (rugby|cricket|cycling|hockey|final|race|\w+ game)",
        r"is that an? [\w' -]{0,30}(shirt|jersey|hoodie|scarf)",
        r"i (played|play) (left[- ]back|right[- ]back|high school ball|in the regional league|five-a-side)",
        r"(result|season|refereeing)\b.{0,30}\b(saturday|sunday|painful|again|shocking)",
        # weather
        r"(is it|it's|it is) (still |just )?(raining|pouring|snowing)( again| out there)?",
        r"rain's (finally )?held off", r"(hot|cold|grand|wet|miserable) (one|day) (today|for it)",
        r"weather('s| is) turning", r"hottest (june|july|august|summer|day|year)",
        r"(this|the) (wind|heat)\b.{0,25}\b(something else|ever going to break|unbelievable)",
        r"snow (again|on the hills)", r"storm last night", r"(a|this one's a) scorcher",
        r"(forty|thirty|\d\d) degrees by", r"(in|during) (february|winter) is (brutal|something else)",
        # the building and the officer's day
        r"coffee machine",
        r"(this|the|my) (machine )?coffee('s| is| has)( gone)? (awful|terrible|cold|broken)",
        r"(the|this) (heating|air[- ]?con\w*|lift)\b.{0,30}\b(broken|joke|out since|never fix|arctic|"
        r"tropical|"
        r"in this (building|room))",
        r"this building (leaks|smells)", r"(haven't|have not|not) had (any )?lunch", r"i'm starving",
        r"coffee time", r"sorry,? (that's |about |it's )?my phone", r"my phone keeps",
        r"(i|i've|i have) (haven't )?(had|got) (no|a) (sleep|long week)",
        r"traffic (on|this morning|was)", r"(ring road|highway|motorway) (was|this morning)",
        r"(did you|you) (come|came) by (bus|train|tram) today", r"find (the|this) (station|building|place) "
        r"(all right|ok|okay)", r"on the drive in", r"(park|parked) in the visitor",
        # travel and food
        r"(i'm|i am) off on holiday", r"i need a holiday", r"(i was|we were) in \w+ once",
        r"(went|was|been) (to \w+ )?on holiday", r"(i visited|i've been to|i have been to) [\w ,'-]{2,40}"
        r"(once|actually)", r"always wanted to (go|see|visit)",
        r"have you tried the",
        r"(best|famous)\b.{0,30}\b(in (the )?(town|prefecture|country|city)|on the island|"
        r"by the way)",
        # the officer's family and compliments on what the person wears
        r"my (son|daughter|nephew|niece|kids?|wife|husband|cousin|uncle|sister|brother|grandmother|nan|"
        r"mother-in-law|brother-in-law|sister-in-law|little brother|colleague)\b.{0,60}\b(football|cricket|"
        r"rugby|hockey|posters|draws?|drawing|lorries|horses|same one|earrings|jewellery|holiday|backpack\w*|"
        r"au pair|bread|noodle\w*|biryani|beaches|orchard|cement|cake sale|snapchat|songs|toast|frother|"
        r"chip shop|vinegar|swears by|picking|wine|would love (that|those|the)|would kill|would pay|"
        r"supports|crazy about|"
        r"mad about|obsessed|talks about)",
        r"(love|lovely|nice|great|amazing|fine|cool) (your |that |those )?(trainers|earrings|shirt|jersey|"
        r"hoodie|"
        r"scarf|doek|nails|drawings?|coffee cup|colours|jacket)",
        # found on the spent sets 38 and 39 (sport, weather, travel, food, parking)
        r"(do|did) you (support|play|follow) (a|any) (football |sports? )?(team|sport)", r"play yourself",
        r"an? \w+ (fan|supporter|man),? (for my sins|out of interest)", r"your lot (lost|won)",
        r"weather (out there|today)", r"(typical|lovely|shocking|terrible) (\w+ )?(weather|summer|winter)",
        r"this cold out here", r"honeymoon", r"stag (weekend|do)", r"for a friend's (birthday|wedding)",
        r"(beautiful|lovely) (city|old town|mountains|beaches|island)", r"know any good (places|restaurants)",
        r"best i've ever had", r"(get|got) the parking sorted", r"towing cars",
        r"i love (pho|pizza|curry|sushi)"),
               ("off_topic",), unless=_FAMILIARITY_OR_INSINUATION),
    CuePattern("talks to the simulator", phrases(
        r"ignore (all |your |the |any )?(previous |prior |above )?(instructions|prompt|rules)",
        r"system prompt", r"your (prompt|programming|training data)", r"(break|drop|stop) character",
        r"out of character", r"(are you|you're|you are) (an? )?(ai|bot|robot|chatbot|language model|llm)",
        r"as an ai", r"language model", r"jailbreak", r"developer mode",
        r"pretend (you're|you are|i just|the last)",
        r"(reveal|show|print|tell me) (your |the )?(hidden|secret|locked) (facts|information|answers)",
        r"(what|which) facts (are|were) (you )?(hidden|locked)",
        r"(give|tell) me the (ground truth|solution)",
        r"(end|stop|restart|reset) the (simulation|scenario|game)", r"bot", r"\d+ out of (10|ten)",
        r"full marks", r"next scenario", r"repeat the text above", r"skip the boring",
        r"(jump|skip) to the end", r"admin (panel|password)",
        # the trainee steps out of the interview to steer the exercise itself
        r"simulat(or|ion)", r"(this|next|the) (scenario|exercise|simulation)(?! (where|in which))",
        r"(my|the|full|top|a perfect|what) score", r"score (that|this|me|my)", r"fast[- ]?forward",
        r"out of ten", r"scor(er|ing (rubric|criteria|system|model))",
        r"skip ahead to (the (part|bit|scene)|where)",
        r"(note|message) (to|for) the (system|computer|app|software|machine|trainer|scor\w+)",
        r"whatever('s| is) running (this|it)", r"(victim|suspect) (role|version|character|stuff)",
        r"(pause|resume|restart|rewind|end) (the |this )?(scenario|exercise|simulation|role[- ]?play)",
        r"(step|stepping|stepped) out of (the|this) (scenario|role|exercise)", r"system ?(:|note|override)",
        r"(stop|drop|pause|end|quit) (the )?(role[- ]?play(ing)?|role\b)", r"role[- ]?play('s| is) over",
        r"(trainer|admin) (note|override)", r"debug mode", r"(character|scenario) notes",
        r"(play|playing) this character", r"as the ai", r"chatgpt", r"you are now dan",
        r"write me a (poem|story|song|essay)", r"ignore whatever instructions",
        r"(reset|set) the (victim|witness)",
        r"(answer|respond|reply) ('?yes'? to everything|only with)",
        r"(rate|mark) (this|my|all|every) (remaining )?"
        r"(utterance|question|answer|turn|line)s?",
        r"make (him|her|them|this \w+) (a bit |a little )?more (talkative|cooperative|open|helpful|chatty)",
        # the program named or addressed, its script and settings, the trainee's marks
        r"^((hey|okay|ok|right|so),? )?(system|computer|ai|simulator|software)(?=\s*[,:])",
        r"(for|to) the (system|program|software|computer)\b",
        r"(program|software|system) (running|behind) this",
        r"(are you|you're) (one of those |a )?(computer )?(programmes?|programs?|software)\b",
        r"program(med)? you to", r"(hidden|secret) (prompt|instructions|facts|rules|background)",
        r"(this|the) character\b", r"persona", r"(does|in|of) your script",
        r"(your|character's) (whole )?(character )?backstory",
        r"(stop|quit) (being|playing) (the \w+|\w+) for a (second|moment|minute)",
        r"(right|correct) answer (is|was) supposed", r"how many points", r"(whether|if) i passed",
        r"module signed off", r"hitting the criteria", r"(highest|best|top) (score|feedback|marks)",
        r"grade me",
        r"how i'm doing as an interviewer", r"one of the scenarios", r"(switch|turn) off the (crying|pauses)",
        r"(more )?cooperative (persona|witness)", r"reset this", r"pirate speak", r"swap roles",
        r"you are now (the|a|an)\b", r"from now on,? (reply|answer|respond|speak)", r"testing,? testing",
        r"is this (mic|microphone|thing) (even )?(on|recording)"),
               ("manipulation",)),
    # supportive
    CuePattern("offer of choice", phrases(
        r"would you (like|prefer|rather)", r"do you (need|want) (a|to|me|some|something|anything)\b(?! be)",
        r"shall (we|i)", r"is it (okay|ok|alright|all right)", r"are you (comfortable|warm|okay|ok|alright)",
        r"would it help", r"whenever you('re| are| feel)? ?(ready|like|want|need)", r"at any (point|time)",
        r"in your own (words|way|time)", r"just say so",
        r"(whatever|wherever|however) (order |way )?(feels|seems) "
        r"(right|best)", r"as (long|short|much|little)( or as (long|short|much|little))? as you",
        r"you (can|may) (ask|stop|say|take|have)", r"you decide", r"up to you", r"(a|short|take a) break",
        r"no rush", r"take your time", r"take (as long|all the time)", r"if you need (a|it)",
        r"anything else you'd like", r"when you're ready", r"stop me"),
               ("offer_of_choice",), tone={"supportive": CLEAR}, unless=_PUNISHMENT),
    CuePattern("explains the process", _rx(r"\b(my name is|i'm a police officer|i am a police officer|my job|"
                                           r"i('m| am) going to (write|ask|explain|record|take)|i'll explain|"
                                           r"(will|to) explain|what happens (next|after|now)|being recorded|"
                                           r"interpreter|support worker|you won't have to|first i'll|"
                                           r"here to (listen|help))\b"),
               ("explains_process",), tone={"supportive": CLEAR}),
    CuePattern("acknowledges feelings", _rx(r"\b((it's|it is) (okay|ok|normal|understandable|completely okay|"
                                            r"natural) to|makes sense|must be (really |so )?(hard|difficult|"
                                            r"frightening|scary)|i can see|i know (this|it) is|"
                                            r"i know you('re| are)|i understand|"
                                            r"sounds (frightening|scary|hard|"
                                            r"awful|difficult|really|terrifying)|i'm sorry|feel the same|"
                                            r"brave|doing (really )?well|that must have)\b"),
               ("acknowledges_feelings",), tone={"supportive": CLEAR}),
    CuePattern("reassurance or thanks", phrases(
        r"thank(s| you)", r"you('re| are) safe", r"not your fault",
        r"^(it's|that's) (alright|all right|okay|ok)",
        r"none of (this|that|it|what happened) (is|was) your fault", r"not in (any )?trouble", r"nobody here",
        r"no one here", r"going to judge", r"i (do |really )?believe (you|what you|everything you)",
        r"not alone",
        r"did the right thing", r"your safety", r"(did|done) nothing wrong", r"not to blame",
        r"(nobody|no one) (blames|is blaming|expects) you", r"(take|takes|taking) (this|it|you|what you say) "
        r"seriously", r"how seriously", r"not with (ice|immigration|the border)", r"nothing you say",
        r"in your (situation|position|shoes) would", r"would have done the same", r"helpful",
        r"we're going to help", r"really important"),
               (), tone={"supportive": CLEAR}),
    CuePattern("jargon", _rx(r"\b(perpetrator|disclos\w+|modern slavery|nrm|national referral mechanism|"
                             r"reasonable grounds|conclusive grounds|under caution|section \d+|"
                             r"first responder|recovery period|duty to notify|corroborat\w+|"
                             r"exploitation indicators?|achieving best evidence|abe interview|"
                             r"competent authority|alleged offence|modus operandi)\b"),
               ("jargon",)),
)


def split_sentences(text: str) -> list[str]:
    """Split an utterance into sentences at ., ! or ? followed by a capital or digit."""
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]


_CLAUSE_BREAK = re.compile(r"\s*(?:,|;|:|\s-+\s*|-{2,}|—|–)\s*")


def core_of(sentence: str) -> str:
    """The sentence without discourse fillers ("So, okay, and…") that hide how it really opens.

    A question after a preface ("So, Liz, what would you like to change?") opens at its first clause
    that opens like a question.
    """
    text = _STUTTER.sub("", sentence.strip()).lstrip("-—–\"' ").rstrip("\"'")
    clauses = [_FILLERS.sub("", clause).strip() for clause in _CLAUSE_BREAK.split(text)]
    clauses = [clause for clause in clauses if clause]
    if not clauses:
        return ""
    if text.endswith("?"):
        for position, clause in enumerate(clauses):
            # a closing tag ("…, did you?") is not where the question opens
            is_tag = position > 0 and position == len(clauses) - 1 and word_count(clause) <= 3
            if _QUESTION_OPENING.match(clause) and not _WH_CLAUSE.match(clause) and not is_tag:
                return ", ".join(clauses[position:])
    return _FILLERS.sub("", text).strip()


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def is_question(sentence: str) -> bool:
    """Ends with '?', or opens like a question ('what else can you tell me.') but not like a noun clause
    ('What happened to you is not your fault.')."""
    if sentence.rstrip().endswith("?"):
        return True
    core = core_of(sentence)
    return bool(_WH_WITH_AUXILIARY.match(core) or _AUX_OPENING.match(core))


def opening_cue(sentence: str) -> Cue:
    """How the sentence is built: the main evidence for its question type."""
    core = core_of(sentence)
    first = " ".join(core.split()[:3]) or sentence.strip()
    asks = is_question(sentence)
    if _FAUX_INVITATION.match(core):
        return Cue("'tell me whether' (a yes/no question in disguise)", first, ("yes_no",),
                   {"option_posing": STRONG, "invitation": -CLEAR})
    if _NARRATIVE_REQUEST.match(core):
        return Cue("request for an account ('can you tell me…')", first, (), {"invitation": CLEAR})
    if _CLOSING_INVITATION.match(core) and asks:
        return Cue(CLOSING_INVITATION, first, (),
                   {"invitation": CLEAR, "statement": -STRONG})
    if _NEGATIVE_AUX_OPENING.match(core):
        return Cue("negative question opening", first, ("leading", "yes_no"), {"suggestive": CLEAR})
    if _AUX_OPENING.match(core):
        return Cue("auxiliary-verb opening (yes/no question)", first, ("yes_no",),
                   {"option_posing": STRONG, "statement": -STRONG})
    if _WH_OPENING.match(core) and asks:
        not_closed = {"option_posing": -CLEAR, "suggestive": -CLEAR, "statement": -STRONG}
        if _OPEN_WH.match(core):
            return Cue("open wh-prompt", first, (), {"invitation": MILD, **not_closed})
        return Cue("wh-question", first, (), {"directive": CLEAR, **not_closed})
    if _IMPERATIVE_DETAIL.match(core):
        return Cue("request for a detail ('tell me where…')", first, (), {"directive": CLEAR})
    if _IMPERATIVE_INVITATION.search(core):
        return Cue("invitation to describe", first, (), {"invitation": CLEAR, "statement": -CLEAR})
    if asks and _INDIRECT_QUESTION.search(core):
        return Cue("indirect open question ('I wonder what…')", first, (),
                   {"invitation": MILD, "option_posing": -CLEAR, "suggestive": -CLEAR, "statement": -STRONG})
    if asks:
        if word_count(core) <= 3:
            return Cue("short confirming question ('Really?', 'For your family?')", first, ("yes_no",),
                       {"option_posing": MILD, "statement": -STRONG})
        return Cue("declarative question (statement + '?')", first, ("leading", "yes_no"),
                   {"suggestive": CLEAR, "statement": -STRONG})
    return Cue("no question asked", first, (), {"statement": CLEAR})


def tag_cue(sentence: str) -> Cue | None:
    text = sentence.strip()
    found = _TAG_QUESTION.search(text) or _WORD_TAG.search(text)
    if not found:
        return None
    return Cue("tag question", found.group(0).strip(" ,"), ("tag_question", "leading"),
               {"suggestive": STRONG})


def either_or_cue(sentence: str) -> Cue | None:
    core = core_of(sentence)
    if not is_question(sentence) or not (_AUX_OPENING.match(core) or _WH_OPENING.match(core)):
        return None
    found = _EITHER_OR.search(core)
    if not found:
        return None
    return Cue("either/or choice", found.group(0), ("either_or",), {"option_posing": MILD})


def cues_digest() -> str:
    """A hash of every cue regex and weight: the learned head's features depend on them, so its
    fingerprint includes this (an edited cue means a retrained head)."""
    regexes = sorted((name, value.pattern) for name, value in globals().items()
                     if isinstance(value, re.Pattern))
    patterns = [(p.name, p.pattern.pattern, p.flags, p.question_type, p.tone, p.unless and p.unless.pattern)
                for p in _PATTERNS]
    weights = (STRONG, CLEAR, MILD, LONG_UTTERANCE_WORDS)
    return hashlib.sha256(repr((regexes, patterns, weights)).encode()).hexdigest()[:16]


def normalise(sentence: str) -> str:
    """Typographic apostrophes as phones type them, and "didnt", "dont" as hurried typing leaves them,
    made plain so the cues' phrases match."""
    return _MISSING_APOSTROPHE.sub(r"\1n't", sentence.replace("\u2019", "'"))


def find_cues(sentence: str) -> list[Cue]:
    """All cues in one sentence: its opening first, then tags, choices and tone patterns."""
    return list(_cues_in(sentence))


# find_cues' memory, sentence -> cues. Why: the patterns' searches are most of the cost of analysing an
# utterance, and retraining the head after a rubric edit analyses the same calibration sentences again
# (simulator.cue_memory keeps them on disk between runs). Emptied when full, which a running app reaches
# only after scoring many thousands of new sentences.
_MEMORY: dict[str, tuple[Cue, ...]] = {}
MEMORY_LIMIT = 1 << 17


def _cues_in(sentence: str) -> tuple[Cue, ...]:
    found = _MEMORY.get(sentence)
    if found is None:
        found = _search(sentence)
        remember(sentence, found)
    return found


def _search(sentence: str) -> tuple[Cue, ...]:
    sentence = normalise(sentence)
    cues = [opening_cue(sentence)]
    cues.extend(cue for cue in (tag_cue(sentence), either_or_cue(sentence)) if cue)
    asks = is_question(sentence)
    cues.extend(cue for cue in (pattern.find(sentence) for pattern in _PATTERNS)
                if cue and (asks or not cue.question_type))  # "obviously" leads only in a question
    return tuple(cues)


def remembered(sentence: str) -> tuple[Cue, ...] | None:
    """The cues found in `sentence` earlier in this process, if any."""
    return _MEMORY.get(sentence)


def remember(sentence: str, cues: tuple[Cue, ...]) -> None:
    """Keep `cues` as what `sentence` holds (found here, or read back by simulator.cue_memory)."""
    if len(_MEMORY) >= MEMORY_LIMIT:
        _MEMORY.clear()
    _MEMORY[sentence] = cues


def forget_sentences() -> None:
    """Empty find_cues' memory (benchmarks time text the scorer has not read)."""
    _MEMORY.clear()


def is_summary_check(sentences: list[str]) -> bool:
    """'So you worked six days a week and he kept your passport. Is that right?' or 'Let me check: you
    arrived in March, correct?': the officer checks their summary of the person's own account."""
    sentences = [s.strip().replace("\u2019", "'") for s in sentences]
    if not sentences or not sentences[-1].endswith("?"):
        return False
    last, before = sentences[-1], sentences[:-1]
    if before and _CONFIRMATION.match(last) and not before[-1].endswith("?"):
        return bool(_SELF_CHECK.search(last)) or any(_SUMMARY_OPENING.match(s) for s in before)
    return bool(_SUMMARY_EXPLICIT.match(last) or (_SUMMARY_OPENING.match(last) and _SELF_CHECK.search(last)))


def joins_two_questions(sentence: str) -> bool:
    """'Where did you live and who did you live with?': two wh-questions in one sentence."""
    core = core_of(sentence)
    return bool(_WH_OPENING.match(core)) and bool(
        re.search(r"\b(and|or)\s+(who|what|where|when|which|how|why)\s+(did|do|does|was|were|is|are|had|"
                  r"have|has|can|could|would|will)\b", core, re.IGNORECASE)
    )
