"""The wheel carries every package and the data beside the code (rules, migrations, templates)."""

from __future__ import annotations

import tomllib

from support.cli import REPO


def test_every_subpackage_is_listed_for_the_wheel():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "auditor").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    for data in ("rules", "migrations", "templates"):
        assert config["package-dir"][f"auditor._{data}"] == data
        assert f"auditor._{data}" in listed
