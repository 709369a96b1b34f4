"""Shared fixtures: a site key per test, one detection engine per session."""

from __future__ import annotations

import os
import subprocess

import pytest
from support.cli import REPO

from auditor.config import DEFAULT_MIN_CONFIDENCE, DEFAULT_MODEL
from auditor.detectors import Detector
from auditor.findings import classify


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that runs the installed ``auditor`` command in a subprocess (``auditor_cli``) is
    marked ``cli``; ``make test-fast`` runs the others, in-process."""
    for item in items:
        function = getattr(item, "function", None)
        if function is not None and "auditor_cli" in function.__code__.co_names:
            item.add_marker(pytest.mark.cli)


def _checkout_state() -> tuple[str, tuple[tuple[str, int, float], ...]]:
    """What a test run could leave in the checkout: new files, and the ignored .auditor/.

    Edits to tracked files are left out: a developer may save a file while the suite runs.
    """
    status = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    auditor_dir = REPO / ".auditor"
    files = sorted(auditor_dir.rglob("*")) if auditor_dir.is_dir() else []
    return status, tuple((str(f), f.stat().st_size, f.stat().st_mtime) for f in files if f.is_file())


@pytest.fixture(scope="session", autouse=True)
def checkout_left_alone(tmp_path_factory):
    """Tests write only under their temporary directories (issue 19).

    A scan with no ``--db`` stores under the scanned project's git root: for a test that scans
    examples/ that was this checkout. The session's default database is a temporary file
    (tests of the default location empty the variable); the checkout is compared at the end.
    """
    before = _checkout_state()
    previous = os.environ.get("AUDITOR_DATABASE_URL")
    os.environ["AUDITOR_DATABASE_URL"] = str(tmp_path_factory.mktemp("session-db") / "findings.db")
    yield
    if previous is None:
        os.environ.pop("AUDITOR_DATABASE_URL", None)
    else:
        os.environ["AUDITOR_DATABASE_URL"] = previous
    after = _checkout_state()
    assert after == before, f"the test run changed the checkout:\n{after[0]}{after[1]}"


@pytest.fixture(autouse=True)
def site_key(monkeypatch, tmp_path_factory):
    """Every test gets a fixed fingerprint key and a private config dir (no writes to HOME)."""
    monkeypatch.setenv("AUDITOR_FINGERPRINT_KEY", "test-site-key")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg")))


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def vanilla() -> Detector:
    return Detector(DEFAULT_MODEL, vanilla=True, floor=0.0)


@pytest.fixture(scope="session")
def found(detector):
    """``found(text)`` -> [(entity, value, category)] that auditor reports by default."""

    def run(text: str, min_confidence: float = DEFAULT_MIN_CONFIDENCE):
        return [
            (c.span.entity, text[c.span.start : c.span.end], c.category.value)
            for c in classify(text, detector.detect(text), min_confidence)
        ]

    return run
