"""Jinja templates compiled once for a user, not once a build, as Python keeps its modules compiled.

Jinja turns each template into Python code the first time a process draws with it. For Material's templates and
ours that took 0.45 s of the one core MkDocs draws pages on, every build: a tenth of a first build of 1,000
stories. Jinja's own bytecode cache keeps that code in a folder only this user may use (`_jinja2-cache-<uid>` in
the temporary folder, which Jinja creates and checks), under a key of the template's name and file, and takes it
only for the same source, so an edited template is compiled again.

The code Jinja writes also depends on how the environment is set up (autoescaping, whitespace control, the
extensions and their settings, the filters and tests and what each is passed, Jinja's own version), which
Jinja's key leaves out: an email template's code drawn into a page would not escape. So that setup goes into
the key too, read when each template is loaded; an environment whose setup cannot be told (autoescaping or
`finalize` chosen by a function) keeps nothing. The cache only ever saves time: a file that cannot be read is
compiled again, and one that cannot be written is not kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import jinja2
from jinja2.bccache import Bucket

PATTERN = "__narrative_%s.cache"
"""The cache's file names, apart from other programs' in Jinja's folder."""
_PLAIN = (str, int, float, bool, type(None))


def keep_compiled(env: jinja2.Environment) -> jinja2.Environment:
    """`env`, keeping the code of the templates it compiles for later processes, where its setup can be told and
    there is a folder only this user may write."""
    if callable(env.autoescape) or env.finalize is not None:
        return env
    try:
        env.bytecode_cache = _Cache(pattern=PATTERN)
    except (OSError, RuntimeError):  # no folder this user alone may write
        pass
    return env


def setup(env: jinja2.Environment) -> str:
    """A digest of everything in `env` that the code of a template compiled in it depends on."""
    described = (
        jinja2.__version__,
        env.code_generator_class.__qualname__,
        env.context_class.__qualname__,
        _plain(vars(env)),  # the syntax, whitespace control, autoescaping, and what extensions set
        _plain(env.policies),
        sorted(env.extensions),
        _passes(env.filters),
        _passes(env.tests),
    )
    return hashlib.sha256(repr(described).encode()).hexdigest()


def _plain(values: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return sorted((name, value) for name, value in values.items() if isinstance(value, _PLAIN))


def _passes(functions: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each filter or test by name, with what it is passed besides its value (the code calling it differs)."""
    return sorted((name, repr(getattr(function, "jinja_pass_arg", None))) for name, function in functions.items())


class _Cache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache on disk, with the environment's setup in each key, that never fails a build."""

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None, source: str) -> Bucket:
        return super().get_bucket(environment, f"{setup(environment)}\0{name}", filename, source)

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged file of ours: compile the template again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full disk, a folder removed meanwhile
            pass
