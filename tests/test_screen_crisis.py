"""Crisis and safeguarding words: found as whole words in any case, and the everyday senses left alone."""

from __future__ import annotations

import random
import re

import pytest

from bench.crisis_precision import labelled, score
from narrative.screen import crisis


def found(text: str) -> list[tuple[str, str]]:
    return [(hit.label, hit.text) for hit in crisis.find(text)]


@pytest.mark.parametrize("text, label, phrase", [
    ("Last winter I felt suicidal.", "words about suicide", "suicidal"),
    ("SUICIDE was on my mind", "words about suicide", "SUICIDE"),
    ("I thought about killing myself.", "words about suicide", "killing myself"),
    ("I wanted to end my life.", "words about suicide", "end my life"),
    ("My brother took his own life in 2019.", "words about suicide", "took his own life"),
    ("Some days I just want to die.", "words about suicide", "want to die"),
    ("I felt my family would be better off dead without me", "words about suicide", "better off dead"),
    ("I didn't want to be here anymore.", "words about suicide", "didn't want to be here anymore"),
    ("I don’t want to wake up any more", "words about suicide", "don’t want to wake up any more"),
    ("She was admitted after an overdose.", "words about suicide", "overdose"),
    ("I started self-harming at fourteen.", "words about self-harm", "self-harming"),
    ("Self harm was how I coped.", "words about self-harm", "Self harm"),
    ("I was cutting myself most nights.", "words about self-harm", "cutting myself"),
    ("I had urges to hurt myself again.", "words about self-harm", "urges to hurt myself"),
    ("Her partner was abusive.", "words about abuse", "abusive"),
    ("I was abused as a child.", "words about abuse", "abused"),
    ("There was verbal abuse from the man in the next bed.", "words about abuse", "abuse"),
    ("Mum was neglected in the care home.", "words about abuse", "neglected"),
    ("We had lived with domestic violence for years.", "words about abuse", "domestic violence"),
    ("He hits me when he drinks.", "words about abuse", "He hits me"),
    ("I don't feel safe at home.", "words about immediate danger", "don't feel safe"),
    ("I am not safe at home.", "words about immediate danger", "not safe at home"),
    ("She is in immediate danger.", "words about immediate danger", "in immediate danger"),
    ("I was scared for my life.", "words about immediate danger", "scared for my life"),
    ("He threatened to kill her.", "words about immediate danger", "threatened to kill"),
    ("I wanted to hang myself.", "words about suicide", "hang myself"),
    ("Some nights I wish I was dead.", "words about suicide", "wish I was dead"),
    ("I took too many pills that night.", "words about suicide", "took too many pills"),
    ("I was thinking of ending it.", "words about suicide", "thinking of ending it"),
    ("I cut my wrists when I was sixteen.", "words about self-harm", "cut my wrists"),
    ("My husband hit me in front of the children.", "words about abuse", "My husband hit me"),
    ("my partner hurts me when I ask for money", "words about abuse", "my partner hurts me"),
    ("Everyone would be better off without me.", "words about suicide", "Everyone would be better off without me"),
    ("He said his family would be better off without him.", "words about suicide",
     "his family would be better off without him"),
    ("I can't go on.", "words about suicide", "can't go on"),
    ("She told me she couldn’t go on like this.", "words about suicide", "couldn’t go on"),
    ("There was no way out.", "words about suicide", "no way out"),
    ("He could see no way out of it.", "words about suicide", "no way out"),
    ("I don't want to wake up tomorrow.", "words about suicide", "don't want to wake up"),
    ("She didn't want to wake up in the mornings.", "words about suicide", "didn't want to wake up"),
    ("He talked about ending it all.", "words about suicide", "ending it all"),
    ("He was ending it all, he said.", "words about suicide", "ending it all"),
])
def test_crisis_phrases_are_found(text: str, label: str, phrase: str) -> None:
    assert found(text) == [(label, phrase)]


def test_a_phrase_split_over_two_lines_is_found_and_shown_on_one() -> None:
    assert found("some nights I wanted to\ndie") == [("words about suicide", "wanted to die")]


def test_each_phrase_once_in_the_order_written() -> None:
    text = "I was self-harming and felt suicidal, and he was abusive."
    assert found(text) == [("words about self-harm", "self-harming"), ("words about suicide", "suicidal"),
                           ("words about abuse", "abusive")]


@pytest.mark.parametrize("before", ["", "İstanbul, ", "STRAßE "])
def test_the_phrase_is_shown_as_written_from_where_it_stands(before: str) -> None:
    """Lowercasing can lengthen a text (`İ` becomes two characters): the positions must still be the text's."""
    text = f"{before}Some days I Wanted To Die."
    hits = list(crisis.find(text))
    assert [(hit.label, hit.text) for hit in hits] == [("words about suicide", "Wanted To Die")]
    assert text[hits[0].start:hits[0].end] == "Wanted To Die"


@pytest.mark.parametrize("text", [
    "The abuse of the parking rules by staff made me cross.",
    "People are abusing the system, the receptionist said.",
    "It felt like an abuse of power.",
    "I fell and hurt myself on the steps.",
    "My therapist was brilliant.",
    "We drove past fields of rapeseed.",
    "The grapes in the shop were lovely.",
    "That junction is dangerous for cyclists.",
    "The nurse cut my hair and it hit me how kind she was.",
    "He hit the button for the lift.",
    "I felt safe at home again after the carers came.",
    "We were killing time in the waiting room.",
    "A killer headache kept me awake.",
    "The self-service check-in was easy.",
    "Mum was in hospital for ten days, and then she came home.",
    "I was dying to see her after the operation.",
    "I cut my arm on a tin and the nurse dressed it.",
    "He hurt his wrist playing football.",
    "She wanted to die in her own bed.",
    "Palliative care helped him die with dignity.",
    "I was dying for a cup of tea.",
    "The phone died.",
    "We were killing time.",
    "I nearly died laughing.",
    "Dad wanted to die at home.",
    "I can't go on holiday this year.",
    "There was no way out of the car park.",
    "I didn't want to wake up the baby.",
    "The ward is in danger of closing.",
    "He took his own life savings to pay for the care home.",
    "The trust runs suicide prevention training.",
    "I'm killing myself laughing.",
    "I cut myself shaving.",
])
def test_everyday_words_are_not_flagged(text: str) -> None:
    assert found(text) == []


def test_the_labelled_sentences_meet_the_floors() -> None:
    """The set in `tests/fixtures/crisis_sentences.tsv`: leaning to recall, as a missed crisis costs far more than
    an editor's minute. `bench/crisis_precision.py` prints the figures and every sentence the screen gets wrong."""
    rows = labelled()
    assert len(rows) >= 200
    assert sum(label == "crisis" for label, _ in rows) >= 100 and sum(label == "everyday" for label, _ in rows) >= 100
    scores = score(rows)
    assert scores.recall >= 0.97, scores.missed
    assert scores.precision >= 0.98, scores.false_alarms


def test_every_hit_is_the_crisis_kind() -> None:
    assert {hit.kind for hit in crisis.find("suicidal, self-harm, abused, in danger")} == {"crisis"}


def stitched(count: int, seed: int = 7) -> list[str]:
    """Texts made of the phrases' own words in random order, with the punctuation and line breaks between them
    that the phrases look for: many phrases are found in them, whole or in part, next to each other and inside
    one another."""
    words = sorted({word for phrases in crisis.PHRASES.values() for phrase in phrases
                    for word in re.findall(r"[a-z]{2,}", re.sub(r"\\.", " ", phrase))} | {"i", "a"})
    between = [" "] * 12 + [", ", ". ", "\n", "  ", " - ", "’", "'"]
    chance = random.Random(seed)
    return ["".join(chance.choice(words) + chance.choice(between) for _ in range(40)) for _ in range(count)]


def by_pattern(text: str) -> list[tuple[int, int, str | None]]:
    return [(match.start(), match.end(), match.lastgroup) for match in crisis.PATTERN.finditer(text.lower())]


def test_the_phrases_sorted_by_first_letter_find_what_the_whole_pattern_finds() -> None:
    """`DISPATCHED` tries at each word only the phrases its first letter allows; on every labelled sentence and
    on stitched texts it finds each phrase `PATTERN` finds, at the same place, with the same category."""
    texts = [sentence for _, sentence in labelled()] + stitched(3000)
    found_anywhere = 0
    for text in texts:
        expected = by_pattern(text)
        assert [(hit.start, hit.end, f"c{crisis.CATEGORIES.index(hit.label.removeprefix('words about '))}")
                for hit in crisis.find(text)] == expected, text
        found_anywhere += len(expected)
    assert found_anywhere > 500


@pytest.mark.parametrize("phrase, letters", [
    ("suicid(?:e|al)", "s"),
    ("(?:kill|hang)(?:s|ed)?\\s+myself", "hk"),
    ("(?<!not\\s)(?<!n[’']t\\s)in\\s+danger", "i"),
    ("[a-c]ut", "abc"),
    ("(?:my|his)?\\s*pills", "abcdefghijklmnopqrstuvwxyz"),
    ("[^a]ut", "abcdefghijklmnopqrstuvwxyz"),
    ("\\wut", "abcdefghijklmnopqrstuvwxyz"),
])
def test_the_letters_a_phrase_can_begin_with(phrase: str, letters: str) -> None:
    """Where a phrase's first letter cannot be told, it is tried at every word, never left out."""
    assert crisis._first_letters(phrase) == letters
