"""The repository's paths, and the installed ``auditor`` command run for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLES = REPO / "examples"
LABELLED = REPO / "tests" / "data" / "labelled"


def auditor_cli(*args: str, cwd: Path | None = None, env: dict | None = None, **kwargs):
    """Run the installed ``auditor`` command for real, as a user would."""
    exe = shutil.which("auditor", path=str(Path(sys.executable).parent)) or "auditor"
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([exe, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300, **kwargs)
