"""Keys for what a build makes: a short digest of everything an output depends on, so an output whose key is
unchanged can be kept instead of made again.

A key is computed from values, never from names or times: two builds that would make the same bytes from the
same inputs compute the same key, in any process. A value this module cannot read whole (an object that is not
one of the model's plain types) makes no key at all, and what depends on it is made afresh every time: a key
never leaves anything out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import importlib.metadata
from collections.abc import Callable, Hashable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

PACKAGE = Path(__file__).resolve().parent
LIBRARIES = ("markdown", "jinja2", "mkdocs", "mkdocs-material", "nh3", "pymdown-extensions", "feedgen", "lxml",
             "css-inline", "pagefind")
"""The libraries whose versions change what a build makes from the same content."""
LONG_TEXT = 512
"""Texts this long or longer (a body as written) are digested once for each object, like dataclasses."""
_PLAIN = (bool, int, float, Decimal, dt.date, dt.time, dt.timedelta, dt.tzinfo, ZoneInfo, Path, type(None))


class Unkeyable(TypeError):
    """A value holds something a key cannot be made from."""


class Keys:
    """Makes keys, remembering the digest of each dataclass it has read (the same story is on its own page, a
    list page and a topic page, and under `mkdocs serve` in every rebuild) until `forget_unused()`."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[object, bytes]] = {}
        self._used: set[int] = set()
        self._of: dict[tuple[int, str | None, tuple[Hashable, ...]], str] = {}

    def forget_unused(self) -> None:
        """Forget the values not read since the last call, so that a long-lived maker does not keep every
        version of every story alive."""
        self._seen = {number: seen for number, seen in self._seen.items() if number in self._used}
        self._of = {name: key for name, key in self._of.items() if name[0] in self._used}
        self._used = set()

    def forget(self) -> None:
        """Forget every value read, as a build that runs once does when it no longer needs them."""
        self._seen, self._used, self._of = {}, set(), {}

    def of(self, shared: str | None, value: Any, *more: Hashable) -> str | None:
        """`key(shared, value, *more)`, remembered for each object `value` (a dataclass or a long text, which
        this maker keeps alive) with the same `shared` and `more`: a rebuild under `mkdocs serve` asks it again
        of each of thousands of unchanged files and items."""
        kind = _KINDS.get(type(value)) or _kind(type(value))
        if not (kind is _Kind.DATACLASS or kind is _Kind.TEXT and len(value) >= LONG_TEXT):
            return self.key(shared, value, *more)
        name = (id(value), shared, more)
        found = self._of.get(name)
        if found is None:
            found = self.key(shared, value, *more)
            if found is not None:
                self._of[name] = found
        self._used.add(id(value))
        return found

    def known(self, value: Any, key: str) -> None:
        """Take `key` as the digest of `value` (a dataclass), which a key of its inputs determines: an item
        made from a file is keyed by the file's bytes and the settings, rather than by reading every field."""
        self._used.add(id(value))
        self._seen[id(value)] = (value, f"k{key}".encode())

    def key(self, *values: Any) -> str | None:
        """The key of `values` together, or None if one of them cannot be read whole."""
        digest = hashlib.sha256()
        try:
            for value in values:
                self._feed(value, digest)
        except Unkeyable:
            return None
        return digest.hexdigest()[:40]

    def _feed(self, value: Any, digest: Any) -> None:
        kind = _KINDS.get(type(value)) or _kind(type(value))
        if kind is _Kind.TEXT:  # Markup too: its text is what is drawn
            digest.update(self._remembered(value, _text) if len(value) >= LONG_TEXT else _text(value))
        elif kind is _Kind.DATACLASS:
            digest.update(self._remembered(value, self._dataclass))
        elif kind is _Kind.SEQUENCE:
            digest.update(b"[%d:" % len(value))
            for each in value:
                self._feed(each, digest)
        elif kind is _Kind.MAPPING:
            digest.update(b"{%d:" % len(value))
            for name, each in value.items():
                if type(name) is str and len(name) < LONG_TEXT:  # (most names: read here, without a call)
                    digest.update(_text(name))
                else:
                    self._feed(name, digest)
                self._feed(each, digest)
        elif kind is _Kind.PLAIN:
            digest.update(f"{type(value).__qualname__}:{value!r};".encode())
        elif kind is _Kind.ENUM:
            digest.update(f"e{type(value).__qualname__}.{value.name};".encode())
        elif kind is _Kind.BYTES:
            digest.update(b"b%d:" % len(value))
            digest.update(value)
        elif kind is _Kind.SET:
            digest.update(b"<%d:" % len(value))
            for each in sorted(self._alone(each) for each in value):
                digest.update(each)
        else:
            raise Unkeyable(type(value).__qualname__)

    def _alone(self, value: Any) -> bytes:
        digest = hashlib.sha256()
        self._feed(value, digest)
        return digest.digest()

    def _remembered(self, value: Any, make: Callable[[Any], bytes]) -> bytes:
        """`make(value)`, made once for each object read: a dataclass (a rendered body's `Html` too), or a long
        text such as a body as written, which is the same object in every rebuild while its file is unchanged."""
        self._used.add(id(value))
        seen = self._seen.get(id(value))
        if seen is not None:
            return seen[1]
        made = make(value)
        self._seen[id(value)] = (value, made)  # the value kept alive, so its id is not reused
        return made

    def _dataclass(self, value: Any) -> bytes:
        digest = hashlib.sha256(f"d{type(value).__module__}.{type(value).__qualname__}:".encode())
        for name in _field_names(type(value)):
            digest.update(name.encode())
            self._feed(getattr(value, name), digest)
        return digest.digest()


def _text(value: str) -> bytes:
    data = value.encode("utf-8", "surrogatepass")
    return b"s%d:%s" % (len(data), hashlib.sha256(data).digest() if len(value) >= LONG_TEXT else data)


class _Kind(enum.Enum):
    """How a value of a type is read into a key."""

    TEXT, DATACLASS, SEQUENCE, MAPPING, PLAIN, ENUM, BYTES, SET, UNKEYABLE = range(9)


_KINDS: dict[type, _Kind] = {}
"""Each type's kind, worked out the first time a value of it is read: a key reads hundreds of thousands of
values in a build, most of a handful of types."""


def _kind(cls: type) -> _Kind:
    if issubclass(cls, str):
        kind = _Kind.TEXT
    elif issubclass(cls, bytes):
        kind = _Kind.BYTES
    elif issubclass(cls, enum.Enum):
        kind = _Kind.ENUM
    elif dataclasses.is_dataclass(cls):
        kind = _Kind.DATACLASS
    elif issubclass(cls, _PLAIN):
        kind = _Kind.PLAIN
    elif issubclass(cls, Mapping):
        kind = _Kind.MAPPING
    elif issubclass(cls, (list, tuple)):
        kind = _Kind.SEQUENCE
    elif issubclass(cls, (set, frozenset)):
        kind = _Kind.SET
    else:
        kind = _Kind.UNKEYABLE
    _KINDS[cls] = kind
    return kind


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(each.name for each in dataclasses.fields(cls))


def of_files(paths: Iterable[Path], root: Path | None = None) -> str:
    """The key of files' names (relative to `root`, when given) and contents."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update((path.relative_to(root) if root else path).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:40]


LONG_LIVED = Keys()
"""The maker a build uses for the items it reads: under `mkdocs serve` the items of unchanged files are the same
objects from one rebuild to the next (kept by the cache's stores), so their digests are not made again."""


@functools.cache
def code() -> str:
    """The key of the code that makes the site: narrative's own modules and templates, and the versions of the
    libraries that draw and convert. Any change to them makes every output again."""
    files = [path for path in PACKAGE.rglob("*") if path.is_file() and path.suffix in (".py", ".html", ".xml",
                                                                                        ".css", ".js", ".json")
             and "__pycache__" not in path.parts]
    versions = []
    for library in LIBRARIES:
        try:
            versions.append(f"{library} {importlib.metadata.version(library)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{library} none")
    return hashlib.sha256(f"{of_files(files, PACKAGE)} {versions}".encode()).hexdigest()[:40]
