"""System tools some tests read outputs with (poppler-utils' ``pdftotext``, ``pdftoppm``).

On a developer's machine a missing tool skips the test with the package to install; in CI
(``CI=true``, where ``.ci/run`` installs them) it fails the test, so CI never passes by
skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(command: str, package: str) -> None:
    """Skip (or, in CI, fail) the calling test unless ``command`` is on the PATH."""
    if shutil.which(command) is not None:
        return
    reason = f"{command} ({package}) is not installed"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must install {package}: {reason}")
    pytest.skip(reason)
