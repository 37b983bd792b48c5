"""A throwaway PostgreSQL cluster for the tests: Debian's PostgreSQL (15 here; the newest installed) started on
127.0.0.1 on a free port.

initdb refuses to run as root, so as root the cluster belongs to the `postgres` user (its folder in /tmp,
which that user can reach; pytest's own folders are root's alone). When PostgreSQL cannot start, the tests
that need it skip on a developer's machine and fail under CI (`CI=true`), where they must run.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.asgi import free_port

INSTALLED = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
BIN = INSTALLED[-1].parent if INSTALLED else Path("/usr/lib/postgresql/15/bin")
_numbers = itertools.count(1)


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a fresh cluster's `postgres` database, for the session."""
    if not (BIN / "initdb").exists():
        unavailable(f"PostgreSQL is not installed ({BIN}/initdb is missing): `scripts/setup test` installs it")
    folder = Path(tempfile.mkdtemp(prefix="narrative-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()
    started = False
    try:
        subprocess.run(_as_owner([str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                  "--no-sync"]), check=True, capture_output=True)
        options = f"-h 127.0.0.1 -p {port} -k {folder} -F -c fsync=off"
        subprocess.run(_as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                                  "-w", "start"]), check=True, capture_output=True)
        started = True
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    except subprocess.CalledProcessError as error:
        unavailable(f"PostgreSQL did not start: {error.stderr.decode(errors='replace').strip()}")
    finally:
        if started:
            subprocess.run(_as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                           capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server: str) -> str:
    """A new, empty database on the session's cluster; its URL as `NARRATIVE_SUBSCRIBERS_URL` takes it."""
    name = f"test_{next(_numbers)}"
    admin = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return f"{server.rsplit('/', 1)[0]}/{name}"
