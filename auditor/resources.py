"""Where the data shipped beside the code lives: ``rules/``, ``migrations/``, ``templates/``.

In a checkout (and an editable install) they are the top-level folders of the repository;
a built wheel carries them as the packages ``auditor._rules``, ``auditor._migrations`` and
``auditor._templates`` (see ``[tool.setuptools]`` in pyproject.toml).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def resource_dir(name: str) -> Path:
    """The folder of shipped data called ``name`` (``rules``, ``migrations``, ``templates``)."""
    try:
        packaged = resources.files(f"auditor._{name}")
    except ModuleNotFoundError:
        packaged = None
    if packaged is not None and Path(str(packaged)).is_dir():
        return Path(str(packaged))
    return _CHECKOUT / name
