"""MkDocs loads hooks by file path under the file's own name, so this file must not be called `narrative.py`
(it would hide the `narrative` package); the hooks themselves live in `narrative.mkdocs_hooks`."""

from narrative.mkdocs_hooks import *  # noqa: F401,F403
