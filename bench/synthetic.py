"""A synthetic site of N stories for the benchmarks: the sample's settings, theme and hook, with made-up content.

Deterministic (one seed gives the same words every time), so two runs measure the same site. Stories are
400-900 words drawn from a Zipf-like vocabulary (a few hundred everyday words, then thousands of rarer made-up
ones), which is what makes a search index grow as real writing does. By default there is one pledge update,
citing some of the stories, for every twenty stories; `FULL` (`--full`) is the build benchmark's site: about N/10
updates and N/10 responses over three years, with lists, quotes and now and then a picture in the stories.

    python bench/synthetic.py --stories 1000 DIR    # writes DIR/mkdocs.yml, DIR/docs, DIR/stories
"""

from __future__ import annotations

import argparse
import base64
import bisect
import itertools
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]

COMMON = """
the and to of a in was I it my that for he she they we on with at but not had her his me is be have this
there so when you all were one from what said would out them no up time could about just because like back
appointment doctor nurse surgery hospital ward clinic waiting room phone call letter pharmacy medicine help
care staff service carer mum dad son daughter wife husband friend neighbour bus car park night morning day
week month year ambulance test result bed chair door desk queue name voice ears eyes pain tired worried
afraid kind listened explained understood waited asked told heard felt thought knew wanted needed came went
home walk stairs lift garden cafe library booth volunteer team manager receptionist GP dentist therapist
""".split()
SYLLABLES = ("ba be bi bo bu da de di do du fa fe fi fo ga ge go ha he hi ka ke ki ko la le li lo lu ma me mi "
             "mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi wa we wi "
             "ya yo za ze").split()
RARE_WORDS = 12_000
QUERY_WORD = "appointment"
"""A one-word query the benchmark types: an everyday word, so it matches many stories (the harder case)."""
SPREAD = (3, 10, 30, 100, 300, 1000, 3000, 10000)
"""Ranks of more one-word queries, from the most common words to the rarest, for the benchmark's spread."""


@dataclass(frozen=True)
class Vocabulary:
    """Words with cumulative Zipf weights: word k is drawn in proportion to 1/(k+1)."""

    words: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def make(cls, rng: random.Random) -> Vocabulary:
        made: dict[str, None] = dict.fromkeys(COMMON)
        while len(made) < len(COMMON) + RARE_WORDS:
            made["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
        words = tuple(made)
        return cls(words, tuple(itertools.accumulate(1 / (rank + 1) for rank in range(len(words)))))

    def draw(self, rng: random.Random, count: int) -> list[str]:
        total = self.cumulative[-1]
        return [self.words[bisect.bisect_left(self.cumulative, rng.random() * total)] for _ in range(count)]


def query_words(seed: int = 1) -> list[str]:
    """The words at the `SPREAD` ranks of the vocabulary `write_site(..., seed)` draws from."""
    vocabulary = Vocabulary.make(random.Random(seed))
    return [vocabulary.words[rank] for rank in SPREAD]


def paragraphs(vocabulary: Vocabulary, rng: random.Random, words: int) -> str:
    """About `words` words as sentences of 8-20 words in paragraphs of 3-6 sentences."""
    sentences: list[str] = []
    while words > 0:
        length = min(words, rng.randint(8, 20))
        drawn = vocabulary.draw(rng, length)
        sentences.append(" ".join([drawn[0].capitalize(), *drawn[1:]]) + ".")
        words -= length
    blocks, start = [], 0
    while start < len(sentences):
        size = rng.randint(3, 6)
        blocks.append(" ".join(sentences[start:start + size]))
        start += size
    return "\n\n".join(blocks) + "\n"


def front_matter(fields: dict[str, object]) -> str:
    return "---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True) + "---\n\n"


@dataclass(frozen=True)
class Shape:
    """What a synthetic site holds besides its stories, and how its text is written. The defaults make the search
    benchmark's site (plain paragraphs, a story a day, an update for every twenty stories); `FULL` makes the build
    benchmark's (bench/run.py)."""

    updates_per: int = 20
    """One pledge update for every this many stories."""
    responses_per: int = 0
    """One response for every this many stories; 0 for none."""
    days: int = 2000
    """The stories' dates lie within this many days from 1 January 2020."""
    spread: bool = False
    """Dates spaced evenly over `days` (and updates cite only earlier stories), rather than one day apart, wrapping."""
    varied: bool = False
    """Bodies with a list, a quote and emphasis among the paragraphs, and some stories with an author and a place."""
    picture_every: int = 0
    """One story in this many has a picture; 0 for none."""


FULL = Shape(updates_per=10, responses_per=10, days=3 * 365 + 1, spread=True, varied=True, picture_every=6)
"""About N/10 updates and N/10 responses over three years, every topic, varied Markdown, now and then a picture."""
FIRST_DAY = date(2020, 1, 1)
PICTURE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")
"""A one-pixel PNG: the pictures cost what copying a file costs, which is all a build does with them."""
ROLES = ("patient", "carer", "parent", "volunteer", "family member")
PLACES = ("the listening booth at Eastbrook Library", "the market stall", "Millford Green surgery", "a coffee morning")
RESPONDERS = ("Priya Shah, Head of Patient Experience", "Gareth Lloyd, Urgent Care Lead",
              "Ruth Adeyemi, Mental Health Commissioning Manager")


@dataclass(frozen=True)
class Picture:
    src: str
    alt: str


@dataclass(frozen=True)
class Post:
    """One synthetic item: front-matter fields as written, the Markdown body and, for a story, its picture. The
    floor and alternative sites of bench/run.py are made from the same stories."""

    slug: str
    fields: dict[str, object]
    body: str
    picture: Picture | None = None

    @property
    def title(self) -> str:
        return str(self.fields["title"])

    @property
    def date(self) -> str:
        return str(self.fields["date"])

    @property
    def topics(self) -> list[str]:
        return list(self.fields.get("topics", []))  # type: ignore[call-overload]


@dataclass(frozen=True)
class Content:
    stories: tuple[Post, ...]
    updates: tuple[Post, ...]
    responses: tuple[Post, ...]


def _day(number: int, count: int, shape: Shape, step: int = 1) -> int:
    """The day (from `FIRST_DAY`) of the `number`th of `count` items."""
    return number * shape.days // max(count, 1) if shape.spread else number * step % shape.days


CONTRACTIONS = ("didn't", "I'm", "it's", "couldn't", "wasn't", "they'd", "I'd", "mum's", "don't", "we'd")
"""Written English has an apostrophe every few dozen words, and each one costs smart punctuation work."""


def punctuate(block: str, rng: random.Random) -> str:
    """A paragraph with a contraction or possessive every thirty words or so, and now and then a dash."""
    words = block.split(" ")
    for _ in range(max(1, len(words) // 30)):
        words[rng.randrange(len(words))] = rng.choice(CONTRACTIONS)
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words)), "--")
    return " ".join(words)


def varied_body(vocabulary: Vocabulary, rng: random.Random, words: int) -> str:
    """About `words` words as people write a story: paragraphs with apostrophes and dashes, a bulleted or numbered
    list, a quote of what someone said, emphasis."""
    listed, quoted = rng.randint(30, 60), rng.randint(15, 30)
    blocks = paragraphs(vocabulary, rng, max(words - listed - quoted, 40)).rstrip("\n").split("\n\n")
    blocks = [punctuate(block, rng) for block in blocks]
    marker = rng.choice(["-", "1."])
    items = []
    while listed > 0:
        length = min(listed, rng.randint(4, 12))
        items.append(f"{marker} " + " ".join(vocabulary.draw(rng, length)).capitalize())
        listed -= length
    quote = '> "' + " ".join(vocabulary.draw(rng, quoted)).capitalize() + '..."'
    words_of = blocks[0].split(" ")
    at = rng.randrange(len(words_of))
    words_of[at] = f"*{words_of[at]}*" if rng.random() < 0.5 else f"**{words_of[at]}**"
    blocks[0] = " ".join(words_of)
    blocks.insert(min(1, len(blocks)), "\n".join(items))
    blocks.insert(rng.randint(2, len(blocks)), quote)
    return "\n\n".join(blocks) + "\n"


def generate(stories: int, seed: int = 1, shape: Shape = Shape(), topics: Sequence[str] = (),
             principles: Sequence[str] = ()) -> Content:
    """The content of a synthetic site, the same for the same arguments; `topics` and `principles` are slugs
    (by default the sample site's)."""
    rng = random.Random(seed)
    vocabulary = Vocabulary.make(rng)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["extra"]["narrative"]
    topics = list(topics) or [topic["slug"] for topic in config["topics"]]
    principles = list(principles) or [principle["slug"] for principle in config["principles"]]
    made: list[Post] = []
    for number in range(stories):
        slug = f"story-{number:05d}"
        title = " ".join(vocabulary.draw(rng, rng.randint(3, 8))).capitalize()
        summary = " ".join(vocabulary.draw(rng, rng.randint(15, 25))).capitalize() + "."
        fields: dict[str, object] = {"title": title,
                                     "date": (FIRST_DAY + timedelta(days=_day(number, stories, shape))).isoformat(),
                                     "summary": summary, "topics": rng.sample(topics, rng.randint(1, 2)),
                                     "consent": True}
        if shape.varied:
            body = varied_body(vocabulary, rng, rng.randint(400, 900))
            if rng.random() < 0.5:
                fields.update(author=vocabulary.draw(rng, 1)[0].capitalize(), role=rng.choice(ROLES),
                              location=rng.choice(PLACES))
        else:
            body = paragraphs(vocabulary, rng, rng.randint(400, 900))
        picture = None
        if shape.picture_every and number % shape.picture_every == shape.picture_every - 1:
            picture = Picture(f"images/{slug}.png", " ".join(vocabulary.draw(rng, 6)).capitalize())
        made.append(Post(slug, fields, body, picture))
    updates: list[Post] = []
    for number in range(stories // shape.updates_per):
        day = _day(number, stories // shape.updates_per, shape, step=7)
        earlier = made[:max(1, day * stories // shape.days)] if shape.spread else made
        fields = {"title": " ".join(vocabulary.draw(rng, 5)).capitalize(),
                  "date": (FIRST_DAY + timedelta(days=day)).isoformat(),
                  "summary": " ".join(vocabulary.draw(rng, 20)).capitalize() + ".",
                  "principle": rng.choice(principles), "status": rng.choice(["planned", "in-progress", "done"]),
                  "stories": [story.slug for story in rng.sample(earlier, min(3, len(earlier)))]}
        body = paragraphs(vocabulary, rng, rng.randint(150, 400))
        updates.append(Post(f"update-{number:05d}", fields, body))
    responses: list[Post] = []
    for number in range(stories // shape.responses_per if shape.responses_per else 0):
        story = rng.choice(made)
        fields = {"story": story.slug,
                  "date": (date.fromisoformat(story.date) + timedelta(days=rng.randint(3, 40))).isoformat(),
                  "responder": rng.choice(RESPONDERS)}
        if rng.random() < 0.5:
            fields["change"] = rng.choice(["planned", "made"])
        responses.append(Post(f"response-{number:05d}", fields, paragraphs(vocabulary, rng, rng.randint(80, 250))))
    return Content(tuple(made), tuple(updates), tuple(responses))


def write_content(root: Path, content: Content) -> None:
    """The content's files under `root/stories/`, as contributors would have written them."""
    for folder in ("patient", "pledge", "responses"):
        (root / "stories" / folder).mkdir(parents=True)
    for story in content.stories:
        fields = dict(story.fields)
        if story.picture:
            fields["images"] = [{"src": story.picture.src, "alt": story.picture.alt}]
            picture = root / "stories/patient" / story.picture.src
            picture.parent.mkdir(exist_ok=True)
            picture.write_bytes(PICTURE)
        (root / "stories/patient" / f"{story.slug}.md").write_text(front_matter(fields) + story.body,
                                                                   encoding="utf-8")
    for folder, posts in (("pledge", content.updates), ("responses", content.responses)):
        for post in posts:
            (root / "stories" / folder / f"{post.slug}.md").write_text(front_matter(post.fields) + post.body,
                                                                       encoding="utf-8")


def write_site(root: Path, stories: int, seed: int = 1, shape: Shape = Shape()) -> Path:
    """A site of `stories` stories (and the updates and responses `shape` asks for) at `root`, with the sample's
    settings, docs, theme and hook; returns its mkdocs.yml."""
    return write_narrative(root, generate(stories, seed, shape))


def write_narrative(root: Path, content: Content) -> Path:
    """A narrative site of `content` at `root` (replaced if it exists); returns its mkdocs.yml."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs")
    (root / "hooks").symlink_to(REPO / "hooks", target_is_directory=True)
    write_content(root, content)
    shutil.copy(REPO / "stories" / "reviews.yml", root / "stories" / "reviews.yml")  # the pages' own addresses
    return root / "mkdocs.yml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the folder to write the site into (replaced if it exists)")
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--full", action="store_true", help="the build benchmark's site: updates, responses, "
                        "pictures and varied Markdown over three years")
    args = parser.parse_args()
    print(write_site(args.root, args.stories, args.seed, FULL if args.full else Shape()))


if __name__ == "__main__":
    main()
