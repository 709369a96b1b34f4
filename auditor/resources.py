"""Where the data shipped beside the code lives: ``rules/``, ``migrations/``, ``templates/``.

In a checkout (and an editable install) they are the top-level folders of the repository;
a built wheel carries them as the packages ``auditor._rules``, ``auditor._migrations`` and
``auditor._templates`` (see ``[tool.setuptools]`` in pyproject.toml).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """The folder of shipped data called ``name`` (``rules``, ``migrations``, ``templates``)."""
    packaged = _PACKAGE / f"_{name}"  # in a wheel: auditor/_rules, ... (data folders, no code)
    return packaged if packaged.is_dir() else _PACKAGE.parent / name
