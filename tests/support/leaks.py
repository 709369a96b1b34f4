"""The identifiers planted in examples/, and which of them a text leaks."""

from __future__ import annotations

from support.cli import REPO

IDENTIFIERS = [
    line.strip()
    for line in (REPO / "tests" / "data" / "example_identifiers.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


def leaks(text: str) -> list[str]:
    """The planted identifiers that appear in ``text`` (none, when nothing leaks)."""
    return [i for i in IDENTIFIERS if i in text]
