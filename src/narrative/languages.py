"""Languages of the content: BCP 47 tags checked against the registry, and the names readers know them by.

The only module that imports langcodes (with language_data for the names), and only once a story names its
language: loading its registry is 45 ms of every build's start, and most stories do not. The site's own words
are English, so English is what a story is in unless it says otherwise.
"""

from __future__ import annotations

import functools
from types import ModuleType

SITE_LANGUAGE = "en"
"""The language of the site's templates, and of every item that does not say `lang:`."""


@functools.cache
def _registry() -> ModuleType:
    import langcodes

    return langcodes


class LanguageError(ValueError):
    """A tag that is not a language: the message says what a right one looks like."""


def standard(tag: str) -> str:
    """`tag` in its standard form (`en_GB` → `en-GB`, `pol` → `pl`), or `LanguageError` if it names no
    language in the BCP 47 registry."""
    langcodes = _registry()
    try:
        normal = langcodes.standardize_tag(tag.strip())
    except (ValueError, langcodes.LanguageTagError):
        normal = ""
    if not normal or not langcodes.tag_is_valid(normal) or not langcodes.Language.get(normal).language:
        raise LanguageError(f"'{tag}' is not a language tag: write one such as pl (Polish), bn (Bengali) or "
                            "en-GB (British English)")
    return normal


def is_site_language(tag: str | None) -> bool:
    """Whether content in `tag` is in the site's own language (any English, `en-GB` included)."""
    return tag is None or _registry().Language.get(tag).language == SITE_LANGUAGE


@functools.lru_cache(maxsize=None)
def autonym(tag: str) -> str:
    """The language's name in itself, as its speakers look for it in a list: `Polski`, `বাংলা`."""
    name = _registry().Language.get(tag).autonym()
    return name[:1].upper() + name[1:]


@functools.lru_cache(maxsize=None)
def english_name(tag: str) -> str:
    """The language's name in English, without its region: `Polish` (for `pl-PL` too), `Bangla`."""
    return _registry().Language.get(primary(tag)).display_name(SITE_LANGUAGE)


def primary(tag: str) -> str:
    """The language without its region or script (`pl-PL` → `pl`): what search indexes are split by."""
    return _registry().Language.get(tag).language or tag
