"""Words that may mean someone is at risk: suicide, self-harm, abuse, immediate danger.

For safeguarding, missing a story about someone at risk costs far more than an editor's minute on a false
alarm, so the phrases lean towards recall: a story about a death by suicide or a past overdose is flagged too,
and the editor accepts it with `reviewed: [crisis]` once the safeguarding lead has seen it. What is left out is
only the everyday sense of a word ("abuse of the parking rules", "I fell and hurt myself"). Phrases are whole
words, any case, British spellings, with straight or curly apostrophes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from narrative.presentation import one_line
from narrative.screen.finding import CRISIS, Hit

_SELF = r"(?:my|him|her|them|your|our)sel(?:f|ves)"
_PERSON = r"(?:my|his|her|their|your)"
_NOT = r"(?:(?:do|does|did|is|was|are|were|ca|could)n[’']t|not|never|no\s+longer)"

PHRASES: dict[str, tuple[str, ...]] = {
    "suicide": (
        r"suicid(?:e|es|al|ality)",
        rf"kill(?:s|ed|ing)?\s+{_SELF}",
        rf"hang(?:s|ed|ing)?\s+{_SELF}",
        r"(?:wish|wishes|wished|wishing)\s+(?:i|he|she|they|we)\s+(?:was|were|had\s+been)\s+dead",
        r"t(?:ake|akes|aking|ook|aken)\s+too\s+many\s+(?:pills|tablets|painkillers|paracetamol)",
        r"(?:think|thinks|thinking|thought)\s+(?:of|about)\s+ending\s+it",
        r"jump(?:s|ed|ing)?\s+in\s+front\s+of\s+(?:a|the)\s+(?:train|bus|lorry|car)",
        rf"end(?:s|ed|ing)?\s+{_PERSON}\s+(?:own\s+)?life",
        rf"t(?:ake|akes|aking|ook|aken)\s+{_PERSON}\s+own\s+life",
        r"(?:want|wanted|wanting|wants)\s+to\s+die",
        r"better\s+off\s+dead",
        r"no\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|go\s+on|going\s+on)",
        r"end\s+it\s+all",
        rf"{_NOT}\s+want\s+to\s+(?:be\s+here|live|wake\s+up)\s+any\s*more",
        r"overdos(?:e|ed|es|ing)",
    ),
    "self-harm": (
        r"self[- ]?harm(?:s|ed|ing)?",
        r"self[- ]?injur(?:y|ies|ing|ed)",
        rf"(?:cut|cuts|cutting|burn|burns|burning|harm|harms|harming|hurting|starving)\s+{_SELF}",
        rf"(?:cut|cuts|cutting|slit|slits|slitting|slashed)\s+{_PERSON}\s+wrists?",
        rf"(?:want|wanted|wanting|tried|try|trying|urges?)\s+to\s+(?:hurt|harm|cut|burn)\s+{_SELF}",
    ),
    "abuse": (
        r"abus(?:e|ed|es|ing|ive|er|ers)"
        r"(?!\s+(?:of\s+)?(?:the\s+|our\s+|a\s+)?(?:parking|rules?|system|process|policy|privileges?|power)\b)",
        r"neglect(?:s|ed|ing|ful)?",
        r"domestic\s+violence",
        r"coercive\s+control",
        r"sexual(?:ly)?\s+(?:assault(?:ed)?|abused|exploited|exploitation)",
        r"rap(?:e|ed|ist)",
        r"(?:he|she|they)\s+(?:hit|hits|beat|beats|kicked|kicks|choked|chokes|strangled|punched|punches)\s+(?:me|us)",
        rf"{_PERSON}\s+(?:husband|wife|partner|boyfriend|girlfriend|ex|dad|father|stepdad|mum|mother|son|daughter"
        r"|carer)\s+(?:hit|hits|beat|beats|kicked|kicks|choked|chokes|strangled|punched|punches|hurt|hurts)"
        r"\s+(?:me|us)",
    ),
    "immediate danger": (
        r"in\s+(?:immediate\s+|real\s+|serious\s+)?danger",
        rf"{_NOT}\s+safe\s+at\s+home",
        rf"{_NOT}\s+(?:feel|feeling|felt)\s+safe",
        r"unsafe\s+at\s+home",
        r"(?:afraid|scared|frightened|fear(?:ed|ing)?)\s+for\s+(?:my|his|her|their|our)\s+li(?:fe|ves)",
        r"threaten(?:s|ed|ing)?\s+to\s+(?:kill|hurt|harm)",
        r"(?:going|want|wants|wanted)\s+to\s+kill\s+(?:me|him|her|them|us)",
    ),
}
"""Each category's phrases as patterns; the category names the finding ("words about self-harm")."""

CATEGORIES: tuple[str, ...] = tuple(PHRASES)
_GROUPS = "|".join(f"(?P<c{number}>{'|'.join(phrases)})" for number, phrases in enumerate(PHRASES.values()))
PATTERN = re.compile(rf"(?=[a-z])\b(?:{_GROUPS})\b")
"""Every category's phrases in one pattern, a named group for each (`c0` is the first category), so a text is
read once rather than once a category. Every phrase begins with a letter: saying so first (`(?=[a-z])`) lets
the regular expression engine skip the other characters at once instead of trying every phrase at each. The
phrases are lowercase and matched against the lowercased text, three times as fast as ignoring case."""
_ANY_CASE = re.compile(PATTERN.pattern, re.IGNORECASE)
"""For the rare text whose lowercase is longer than itself (`İ`), where positions would no longer line up."""


def find(text: str) -> Iterator[Hit]:
    """Every crisis phrase in `text`, in the order they appear; the phrase itself is shown, as it is not
    personal data and the editor needs it to judge."""
    lowered = text.lower()
    pattern, searched = (PATTERN, lowered) if len(lowered) == len(text) else (_ANY_CASE, text)
    for match in pattern.finditer(searched):
        category = CATEGORIES[int(match.lastgroup[1:])]  # type: ignore[index]
        phrase = text[match.start():match.end()]
        yield Hit(CRISIS, f"words about {category}", match.start(), match.end(), one_line(phrase))
