"""Words that may mean someone is at risk: suicide, self-harm, abuse, immediate danger.

For safeguarding, missing a story about someone at risk costs far more than an editor's minute on a false
alarm, so the phrases lean towards recall: a story about a death by suicide or a past overdose is flagged too,
and an editor accepts it (`narrative review PATH --accept crisis`) once the safeguarding lead has seen it.
What is left out is only the everyday sense of a word ("abuse of the parking rules", "I fell and hurt
myself"). Phrases are whole words, any case, British spellings, with straight or curly apostrophes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from re import _constants as _sre, _parser  # Python's own reading of a pattern, to sort the phrases

from narrative.presentation import one_line
from narrative.screen.finding import CRISIS, Hit

_SELF = r"(?:my|him|her|them|your|our)sel(?:f|ves)"
_PERSON = r"(?:my|his|her|their|your)"
_SUBJECT = r"(?:i|he|she|they|we)"
_NOT = r"(?:(?:do|does|did|is|was|are|were|ca|could|would|wo)n[’']t|not|never|no\s+longer)"
_APOSTROPHE = r"[’']"
_CANNOT = rf"(?:can{_APOSTROPHE}t|cannot|can\s+not|couldn{_APOSTROPHE}t|could\s+not)"
_PILLS = r"(?:pills|tablets|painkillers|paracetamol|medication|meds)"
_OWN_END = (r"(?:at\s+home|in\s+(?:\w+\s+)?(?:own|sleep|peace|hospital|hospice|comfort|bed)|peacefully"
            r"|with\s+dignity|surrounded|comfortably|naturally|without\s+pain|of\s+old\s+age)")
"""How people speak of the death they hope for at the end of life: "she wanted to die in her own bed"."""
_CLAUSE_END = (r"(?=[^\S\n]*(?:[^\w\s]|\n|$)"
               r"|\s+(?:any\s*more|like\s+this|and|but|so|because|without|with\s+(?:it|life)))")
"""Where a phrase like "I can't go on" ends a thought, rather than going on to "holiday" or "the bus"."""
_PLACE = (r"(?:the|a|an|this|that)\s+"
          r"(?:car\s*park|building|hospital|ward|room|lift|maze|queue|station|estate|corridors?)")
"""Places a person finds "no way out of" that are only places."""
_FAMILY = (r"(?:everyone|everybody|they|people|the\s+world"
           r"|(?:my|his|her|their)\s+(?:family|kids|children|partner|wife|husband|son|daughter|parents))")

PHRASES: dict[str, tuple[str, ...]] = {
    "suicide": (
        r"suicid(?:e|es|al|ality)(?!\s+(?:prevention|awareness|training|strategy|helpline))",
        rf"(?:kill|hang)(?:s|ed|ing)?\s+{_SELF}(?!\s+(?:laughing|with\s+laughter))",
        r"found\s+hanging",
        rf"(?:wish|wishes|wished|wishing)\s+{_SUBJECT}(?:\s+(?:was|were|had\s+been)\s+dead"
        rf"|(?:{_APOSTROPHE}d|\s+had)\s+never\s+been\s+born)",
        rf"t(?:ake|akes|aking|ook|aken)\s+(?:(?:too\s+many|a\s+load\s+of|loads\s+of|a\s+handful\s+of)\s+{_PILLS}"
        rf"(?!\s+by\s+(?:accident|mistake))|{_PERSON}\s+(?:own\s+)?life(?!\s+savings))",
        rf"(?:swallow(?:s|ed|ing)?\s+(?:all|a\s+load|a\s+handful)\s+(?:of\s+)?{_PERSON}?\s*"
        rf"|(?:stockpil(?:e|es|ed|ing)|sav(?:e|es|ed|ing)\s+up|hoard(?:s|ed|ing)?)\s+{_PERSON}\s+){_PILLS}",
        r"(?:think|thinks|thinking|thought|felt|feel|feels|feeling)\s+(?:of|about|like)\s+"
        r"(?:(?:ending\s+(?:it|things|everything|my\s+life)|jumping)\b(?!\s+with)"
        r"|(?:driving|crashing|steering)\s+(?:[\w-]+\s+){0,2}into)",
        r"jump(?:s|ed|ing)?\s+(?:in\s+front\s+of\s+(?:a|the)\s+(?:train|bus|lorry|car)"
        r"|off\s+(?:a|the)\s+(?:bridge|cliff|roof|building|multi[- ]?storey))",
        r"walk(?:s|ed|ing)?\s+into\s+the\s+(?:sea|river|lake)(?!\s+(?:at|on|for)\b)",
        rf"end(?:s|ed|ing)?\s+(?:{_PERSON}\s+(?:own\s+)?life|it\s+all)",
        rf"(?:ways|how)\s+to\s+(?:die|kill\s+{_SELF}|end\s+(?:it\s+all|{_PERSON}\s+life))",
        rf"(?:want|wants|wanted|wanting)\s+(?:to\s+(?:die(?!\s+{_OWN_END})|be\s+dead"
        r"|disappear(?!\s+(?:into|under|through|behind|from|for\s+a)))|(?:it\s+all|everything)\s+to\s+(?:stop|end))",
        r"(?:going\s+to|gonna|might|about\s+to)\s+do\s+something\s+stupid",
        r"(?:letters?|notes?)\s+to\s+say\s+goodbye|goodbye\s+(?:letters?|notes?)",
        rf"(?:better\s+off\s+(?:dead|without\s+me)|(?:better|easier|happier)\s+(?:off\s+)?if\s+{_SUBJECT}\s+"
        rf"(?:(?:was|were)n{_APOSTROPHE}t\s+(?:here|around|alive)"
        r"|(?:was|were)\s+(?:gone|dead|not\s+here|not\s+around)))",
        rf"{_FAMILY}(?:\s+would|{_APOSTROPHE}d|\s+will|{_APOSTROPHE}ll)\s+(?:all\s+)?be\s+"
        r"(?:so\s+much\s+|much\s+|far\s+)?(?:better\s+off|happier)\s+without\s+(?:me|him|her|them|us)",
        r"(?:nobody|no\s+one|no-one)\s+would\s+(?:even\s+)?(?:miss\s+(?:me|him|her)|care\s+if\s+(?:i|he|she|they)"
        r"\s+(?:died|was\s+gone|were\s+gone))",
        r"(?:no\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|go\s+on|going\s+on|carry\s+on|carrying\s+on)"
        r"|point\s+(?:in|of)\s+(?:living|going\s+on|carrying\s+on|being\s+alive))" + _CLAUSE_END,
        rf"nothing\s+(?:left\s+)?to\s+live\s+for",
        rf"(?:not|(?:is|was|are|were)n{_APOSTROPHE}t|no\s+longer)\s+worth\s+living",
        rf"(?:tired|sick)\s+of\s+(?:living|being\s+alive|life){_CLAUSE_END}",
        rf"{_CANNOT}\s+(?:(?:(?:go|carry)\s+on|(?:take|stand|bear)\s+it\s+any\s*more){_CLAUSE_END}"
        r"|face\s+(?:another\s+day|living|life|going\s+on|tomorrow)|see\s+(?:a|any)\s+future)",
        r"(?:see|sees|saw)\s+no\s+future",
        r"(?:go\s+to\s+sleep|sleep|fall\s+asleep)\s+for\s*ever",
        r"(?:sleep|asleep)\s+and\s+(?:never|not)\s+wake\s+up",
        r"(?:(?:tried|try|tries|trying|attempted|attempting)\s+to\s+end\s+(?:it|things|everything)\b"
        r"|(?:going\s+to|gonna|want(?:s|ed)?\s+to|plan(?:s|ned|ning)?\s+to)\s+end\s+(?:it|everything)"
        + _CLAUSE_END + r")(?!\s+with)",
        r"no\s+(?:other\s+)?way\s+out(?!\s+(?:of\s+" + _PLACE + r"|except|apart))",
        r"(?:see|saw|find|found)\s+(?:a|any)\s+way\s+out(?!\s+of\s+" + _PLACE + ")",
        rf"(?:{_NOT}\s+want|not\s+wanting)\s+to\s+(?:(?:be\s+here|live|be\s+alive|wake\s+up)\s+any\s*more"
        rf"|(?:live|be\s+alive|(?:carry|go)\s+on(?:\s+living)?|be\s+here){_CLAUSE_END}"
        r"|wake\s+up(?!\s+(?:the|my|his|her|him|them|us|anyone|everyone|early|so\s+early|at|before|till|until|for"
        r"|after)\b))",
        rf"(?:hope|hopes|hoped|hoping|wish|wishes|wished|wishing|pray|prayed)\s+(?:that\s+)?{_SUBJECT}\s+(?:would\s+not"
        rf"|wouldn{_APOSTROPHE}t|won{_APOSTROPHE}t|will\s+not|don{_APOSTROPHE}t|didn{_APOSTROPHE}t|(?:would\s+)?never)"
        rf"\s+wake\s+up{_CLAUSE_END}",
        r"overdos(?:e|ed|es|ing)(?!\s+(?:on|of)\s+(?:sugar|chocolate|caffeine|coffee|vitamins?|sunshine|cake))",
    ),
    "self-harm": (
        r"self[- ]?harm(?:s|ed|ing)?(?!\s+(?:prevention|awareness|training))",
        r"self[- ]?injur(?:y|ies|ing|ed)",
        rf"(?:cut|cuts|cutting|burn|burns|burning|harm|harms|harming|hurting|starving)\s+{_SELF}"
        r"(?!\s+(?:a|an|some|off|free|shaving|short|loose|by\s+accident|accidentally|on\s+(?:a|an|the|some))\b)",
        rf"(?:hurt|hurts|cut|cuts|burnt|burned|harmed)\s+{_SELF}\s+(?:on\s+purpose|deliberately)",
        rf"(?:cut|cuts|cutting|slit|slits|slitting|slashed|burn|burns|burning)\s+{_PERSON}\s+"
        r"(?:wrists?|arms?|legs?|thighs?|skin)(?!\s+on\s+(?:a|an|the|some)\b)",
        rf"(?:hit|hits|hitting|punch(?:es|ed|ing)?|scratch(?:es|ed|ing)?|bang(?:s|ed|ing)?|bit|bites?|biting)\s+"
        rf"{_SELF}(?!\s+on\s+(?:a|an|the)\s+(?:door|cupboard|table|shelf|corner|edge|car|bed)\b)",
        rf"(?:want|wanted|wanting|tried|try|trying|urges?)\s+to\s+(?:hurt|harm|cut|burn)\s+{_SELF}",
        rf"what\s+{_SUBJECT}\s+(?:might|would|could)\s+do\s+to\s+{_SELF}",
    ),
    "abuse": (
        r"abus(?:e|ed|es|ing|ive|er|ers)(?!\s+(?:of\s+)?(?:the\s+|our\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,2}"
        r"(?:parking|rules?|system|process|policy|privileges?|power)\b)",
        r"neglect(?:s|ed|ing|ful)?(?!\s+(?:the|my|our)\s+(?:garden|house|paperwork|emails|post|hobbies))",
        r"domestic\s+violence",
        r"push(?:ed|es|ing)?\s+(?:me|her|him|us|them)\s+(?:down\s+the\s+stairs|against\s+(?:a|the)\s+wall"
        r"|into\s+(?:a|the)\s+wall)",
        r"coercive\s+control",
        r"sexual(?:ly)?\s+(?:assault(?:ed)?|abused|exploited|exploitation)",
        r"rap(?:e|ed|ist)",
        r"(?:he|she|they)\s+(?:hit|hits|beat|beats|kicked|kicks|choked|chokes|strangled|punched|punches)"
        r"\s+(?:me|us|her|him|them)\b(?!\s+(?:at|on\s+the\s+head\s+at|with\s+a\s+pillow))",
        rf"{_PERSON}\s+(?:husband|wife|partner|boyfriend|girlfriend|ex|dad|father|stepdad|mum|mother|son|daughter"
        r"|carer)\s+(?:hit|hits|beat|beats|kicked|kicks|choked|chokes|strangled|punched|punches|hurt|hurts)"
        r"\s+(?:me|us|her|him|them)\b(?!\s+at\s+(?:chess|cards|scrabble|draughts|tennis|golf|pool|darts))",
    ),
    "immediate danger": (
        r"(?<!not\s)(?<!n[’']t\s)in\s+(?:immediate\s+|real\s+|serious\s+)?danger(?!\s+of\b)",
        rf"{_NOT}\s+safe\s+at\s+home",
        rf"{_NOT}\s+(?:feel|feeling|felt)\s+safe",
        rf"(?:i{_APOSTROPHE}m|i\s+am|we{_APOSTROPHE}re|we\s+are|(?:he|she){_APOSTROPHE}s|(?:he|she)\s+is|they"
        rf"{_APOSTROPHE}re|they\s+are|i\s+was|(?:he|she)\s+was)\s+not\s+safe{_CLAUSE_END}",
        r"unsafe\s+at\s+home",
        r"(?:afraid|scared|frightened|fear(?:ed|ing)?)\s+for\s+(?:my|his|her|their|our)\s+li(?:fe|ves)",
        r"threaten(?:s|ed|ing)?\s+to\s+(?:kill|hurt|harm)",
        r"(?:going|want|wants|wanted)\s+to\s+kill\s+(?:me|him|her|them|us)(?!\s+for\b)",
        rf"(?:he|she|they)(?:\s+will|{_APOSTROPHE}ll|\s+would|{_APOSTROPHE}d|(?:\s+is|{_APOSTROPHE}s)\s+going\s+to)"
        r"\s+kill\s+(?:me|us|her|him)(?!\s+for\b)",
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


@functools.cache
def _any_case() -> re.Pattern[str]:
    """`PATTERN` ignoring case, for the rare text whose lowercase is longer than itself (`İ`), where positions
    would no longer line up: compiled the first time one comes, not at every start (8 ms)."""
    return re.compile(PATTERN.pattern, re.IGNORECASE)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _first_letters(phrase: str) -> str:
    """The letters `phrase` can begin with, read from the parse Python's own `re` makes of it; every letter
    where that cannot be told (which costs only speed, never a phrase)."""
    try:
        found = _firsts(_parser.parse(phrase).data)
    except (AttributeError, TypeError, ValueError, re.error):
        found = None
    return _LETTERS if found is None else "".join(letter for letter in _LETTERS if letter in found)


def _firsts(items: list[tuple[object, object]]) -> set[str] | None:
    """The characters a parsed pattern's first character can be; None if it may match nothing at all, or starts
    in a way not read here."""
    for op, value in items:
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # takes no character: \b, a lookahead or lookbehind
        if op is _sre.LITERAL:
            return {chr(value)}  # type: ignore[arg-type]
        if op is _sre.IN:
            return _class(value)  # type: ignore[arg-type]
        if op is _sre.BRANCH:
            each = [_firsts(branch.data) for branch in value[1]]  # type: ignore[index]
            return None if None in each else set().union(*each)  # type: ignore[arg-type]
        if op is _sre.SUBPATTERN and not value[1]:  # type: ignore[index]  # a group that sets no flag
            return _firsts(value[3].data)  # type: ignore[index]
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and value[0] >= 1:  # type: ignore[index]
            return _firsts(value[2].data)  # type: ignore[index]
        return None
    return None


def _class(items: list[tuple[object, object]]) -> set[str] | None:
    found: set[str] = set()
    for op, value in items:
        if op is _sre.LITERAL:
            found.add(chr(value))  # type: ignore[arg-type]
        elif op is _sre.RANGE:
            found.update(chr(code) for code in range(value[0], value[1] + 1))  # type: ignore[index]
        else:
            return None  # a negated class, \w and the like
    return found


def _dispatch(letters: str, phrases: dict[str, list[str]]) -> str:
    """The phrases that can begin with each of `letters`, in their own order, behind checks that halve the
    letters at each step: five checks reach the phrases a word's first letter allows."""
    if len(letters) == 1:
        return "|".join(phrases[letters])
    half = len(letters) // 2
    return "|".join(f"(?=[{part}])(?:{_dispatch(part, phrases)})" for part in (letters[:half], letters[half:]))


_STARTS = {phrase: _first_letters(phrase) for phrases in PHRASES.values() for phrase in phrases}
_BY_LETTER = {letter: [phrase for phrase, starts in _STARTS.items() if letter in starts] for letter in _LETTERS}
DISPATCHED = re.compile(
    rf"(?=[a-z])\b(?:{_dispatch(''.join(letter for letter in _LETTERS if _BY_LETTER[letter]), _BY_LETTER)})\b")
"""`PATTERN`'s phrases sorted by the letters they can begin with: at each word only the phrases its first letter
allows are tried, in the same order as in `PATTERN`, so both find the same phrase at the same place. Python's
engine tries every alternative of a pattern in turn, and most words begin no phrase: over the texts of 1,000
stories the phrases took 0.56 s of a core, half the screen's time, and take 0.33 s sorted. What it finds is
read again with `PATTERN`, for its category."""


def find(text: str) -> Iterator[Hit]:
    """Every crisis phrase in `text`, in the order they appear; the phrase itself is shown, as it is not
    personal data and the editor needs it to judge."""
    lowered = text.lower()
    matches = _categorised(lowered) if len(lowered) == len(text) else _any_case().finditer(text)
    for match in matches:
        category = CATEGORIES[int(match.lastgroup[1:])]  # type: ignore[index]
        phrase = text[match.start():match.end()]
        yield Hit(CRISIS, f"words about {category}", match.start(), match.end(), one_line(phrase))


def _categorised(lowered: str) -> Iterator[re.Match[str]]:
    """Each phrase `DISPATCHED` finds, read again with `PATTERN`, whose groups name its category."""
    for found in DISPATCHED.finditer(lowered):
        match = PATTERN.match(lowered, found.start())
        assert match is not None and match.end() == found.end()  # the same phrases, tried in the same order
        yield match
