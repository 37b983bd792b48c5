"""Readability: Markdown read as plain sentences, the scores kept in range, a gentle note above the aim."""

from __future__ import annotations

from pathlib import Path

import pytest
import textstat

from narrative.problems import Severity
from narrative.screen.readability import count_sentences, measure, plain_text, scores
from tests.conftest import REPO
from tests.test_screen import review
from tests.content import screened, story

EASY = "I went to the GP. The nurse was kind. She gave me a leaflet and a cup of tea. I felt better when I left.\n"
HARD = ("Our service works in partnership with community organisations to deliver personalised support, "
        "including signposting to appropriate voluntary sector provision and facilitating access to specialist "
        "assessment where clinically indicated. Practitioners undertake comprehensive reviews of individual "
        "circumstances. We listened to you and we acted quickly.\n")


def test_plain_text_drops_markdown_and_ends_each_line_as_a_sentence() -> None:
    markdown = ("# A heading\n\n- first item\n- second *item* with [a link](https://example.org)\n\n"
                "> quoted words\n\n![a picture](images/x.png)\n<b>bold</b> text!")
    assert plain_text(markdown) == "A heading.\nfirst item.\nsecond item with a link.\nquoted words.\nbold text!"


def test_scores_and_word_count() -> None:
    easy = measure("stories/patient/easy.md", 8, EASY * 3)
    assert (easy.words, easy.ease, easy.grade) == (75, 100.0, 0.0)
    hard = measure("stories/patient/hard.md", 8, HARD)
    assert (hard.words, hard.ease, hard.grade) == (43, 0.0, 19.1)
    assert measure("stories/pledge/empty.md", 7, "").words == 0


def test_a_gentle_note_above_the_configured_grade(tmp_path: Path) -> None:
    story(tmp_path, "hard-words", body=HARD)
    story(tmp_path, "plain-words", body=EASY * 3)
    screening = screened(tmp_path, max_grade=9)
    assert [str(finding.problem) for finding in screening.findings] == [
        "stories/patient/hard-words.md:9: reads at grade 19.1, reading ease 0, above the site's aim of grade 9: "
        "shorter sentences and everyday words would help more people; or an editor accepts it with 'narrative "
        "review stories/patient/hard-words.md --accept readability'"]
    assert screening.findings[0].severity is Severity.NOTE
    assert [(reading.path, reading.words) for reading in screening.readings] == [
        ("stories/patient/hard-words.md", 43), ("stories/patient/plain-words.md", 75)]


def test_no_note_at_or_below_the_aim_or_for_a_short_text(tmp_path: Path) -> None:
    story(tmp_path, "hard-words", body=HARD)
    story(tmp_path, "short-and-hard", body="Comprehensive multidisciplinary documentation necessitated.\n")
    assert screened(tmp_path, max_grade=20).findings == ()
    assert [finding.path for finding in screened(tmp_path, max_grade=9).findings] == ["stories/patient/hard-words.md"]


def test_an_editor_can_accept_a_hard_read_until_the_text_changes(tmp_path: Path) -> None:
    path = story(tmp_path, "hard-words", body=HARD)
    review(tmp_path, "stories/patient/hard-words.md", "readability")
    screening = screened(tmp_path, max_grade=9)
    assert (screening.findings, [finding.kind for finding in screening.accepted]) == ((), ["readability"])
    assert screening.readings[0].grade == 19.1
    path.write_text(path.read_text(encoding="utf-8") + "Notwithstanding.\n", encoding="utf-8")
    assert [finding.kind for finding in screened(tmp_path, max_grade=9).findings] == ["readability"]


TRICKY = ("Yes. No! Well -- maybe? It's fine, I suppose. ... . — . Dr. Patel saw me at 9.30. "
          "\"Thank you,\" I said. OK then... see you soon. A - b - c. 'Quoted words' here and there. Ward 7 A&E.")


def _texts() -> list[str]:
    stories = sorted((REPO / "stories").rglob("*.md"))
    return [TRICKY, EASY, HARD, *(plain_text(path.read_text(encoding="utf-8").split("---\n", 2)[2])
                                  for path in stories)]


def test_sentences_and_scores_are_textstats_own() -> None:
    for text in _texts():
        assert count_sentences(text) == textstat.sentence_count(text), text
        ease, grade, words = scores(text)
        assert ease == pytest.approx(textstat.flesch_reading_ease(text), abs=1e-9), text
        assert grade == pytest.approx(textstat.flesch_kincaid_grade(text), abs=1e-9), text
        assert words == textstat.lexicon_count(text), text
