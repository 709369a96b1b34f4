"""Shared fixtures: a site key per test, one detection engine per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.config import DEFAULT_MIN_CONFIDENCE, DEFAULT_MODEL
from auditor.detectors import Detector
from auditor.findings import classify

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
LABELLED = REPO / "tests" / "data" / "labelled"


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


def auditor_cli(*args: str, cwd: Path | None = None, env: dict | None = None, **kwargs):
    """Run the installed ``auditor`` command for real, as a user would."""
    exe = shutil.which("auditor", path=str(Path(sys.executable).parent)) or "auditor"
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([exe, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300, **kwargs)
