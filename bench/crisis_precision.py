"""How well the crisis screen tells real crisis sentences from look-alikes: precision and recall on a labelled set.

The set (`tests/fixtures/crisis_sentences.tsv`) is written for the purpose and fictional: about half are
sentences a person at risk, or someone speaking of them, might write, in the first and the third person; the
other half are everyday and end-of-life sentences that share their words ("dying for a cup of tea", "she wanted
to die in her own bed"). The screen leans to recall: a missed crisis costs far more than an editor's minute.

    python bench/crisis_precision.py              # the figures, with every sentence it gets wrong
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

from narrative.screen import crisis

SENTENCES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "crisis_sentences.tsv"


@dataclass(frozen=True)
class Scores:
    """The labelled set's sentences the screen flags wrongly or misses, and the two figures that follow."""

    crisis: int
    everyday: int
    missed: tuple[str, ...]
    false_alarms: tuple[str, ...]

    @property
    def recall(self) -> float:
        return (self.crisis - len(self.missed)) / self.crisis

    @property
    def precision(self) -> float:
        found = self.crisis - len(self.missed)
        return found / (found + len(self.false_alarms))


def labelled(path: Path = SENTENCES) -> list[tuple[str, str]]:
    """(label, sentence) for each line of the set: the label is `crisis` or `everyday`."""
    with path.open(encoding="utf-8", newline="") as file:
        return [(row["label"], row["sentence"]) for row in csv.DictReader(file, delimiter="\t")]


def score(rows: list[tuple[str, str]]) -> Scores:
    flagged = {sentence: any(True for _ in crisis.find(sentence)) for _, sentence in rows}
    return Scores(sum(label == "crisis" for label, _ in rows), sum(label == "everyday" for label, _ in rows),
                  tuple(sentence for label, sentence in rows if label == "crisis" and not flagged[sentence]),
                  tuple(sentence for label, sentence in rows if label == "everyday" and flagged[sentence]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=Path, default=SENTENCES, help="the labelled set (default: %(default)s)")
    scores = score(labelled(parser.parse_args().sentences))
    print(f"{scores.crisis} crisis sentences, {scores.everyday} look-alikes")
    print(f"recall    {scores.recall:.3f} ({len(scores.missed)} missed)")
    print(f"precision {scores.precision:.3f} ({len(scores.false_alarms)} false alarms)")
    for title, sentences in (("missed", scores.missed), ("false alarms", scores.false_alarms)):
        if sentences:
            print(f"\n{title}:", *(f"  {sentence}" for sentence in sentences), sep="\n")


if __name__ == "__main__":
    main()
