"""The feeds and digests of a small fixed site, byte for byte against files kept in the repository.

Feed readers and mail clients see exactly these bytes, so any change to them should be one a person has
looked at. After a deliberate change, rewrite the expected files and review the difference with git:

    NARRATIVE_REWRITE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from narrative.build import read_site, write_outputs
from narrative.config import load_settings

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
CONTENT, EXPECTED = GOLDEN / "content", GOLDEN / "expected"


def files_under(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    settings, problems = load_settings(CONTENT / "mkdocs.yml")
    assert settings is not None and not problems, problems
    site, problems = read_site(settings)
    assert not problems, problems
    out = tmp_path_factory.mktemp("golden")
    write_outputs(site, out)
    if os.environ.get("NARRATIVE_REWRITE_GOLDEN") == "1":
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(out, EXPECTED)
    return files_under(out)


def test_the_same_files_are_written(written: dict[str, bytes]) -> None:
    assert sorted(written) == sorted(files_under(EXPECTED))


@pytest.mark.parametrize("name", sorted(files_under(EXPECTED)) if EXPECTED.exists() else ["(none yet)"])
def test_each_file_is_byte_for_byte_the_same(written: dict[str, bytes], name: str) -> None:
    expected = EXPECTED / name
    assert expected.is_file(), "no expected file: rewrite them with NARRATIVE_REWRITE_GOLDEN=1"
    if name.endswith((".xml", ".atom", ".json", ".html", ".txt", ".eml")):
        assert written[name].decode("utf-8") == expected.read_bytes().decode("utf-8")  # a readable difference
    assert written[name] == expected.read_bytes()
