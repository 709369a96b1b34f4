"""The seam for output formats: one abstract format, one module per format, an enum of choices.

``scan`` and ``check`` print a ``ScanResult`` through a ``ResultFormat`` chosen from an
``OutputFormat`` (``formats.result_format`` maps each choice to its module, and
``assert_never`` makes a new choice without a format a type error). Table, JSON and SARIF are ``ResultFormat``
implementations (``table.py``, ``json.py``, ``sarif.py``). The PDF/HTML audit report is the
other kind of output: it is rendered from a stored scan (``pdf.render_pdf``), not from a live
result, so it stays outside this interface; listings of the store print rows (``cli/_listing``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from auditor.model import ScanResult


class OutputFormat(StrEnum):
    """What ``--format`` may name. ``scan`` offers table and json; ``check`` text, json and sarif."""

    TABLE = "table"
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


SCAN_FORMATS = (OutputFormat.TABLE, OutputFormat.JSON)
CHECK_FORMATS = (OutputFormat.TEXT, OutputFormat.JSON, OutputFormat.SARIF)


class ResultFormat(ABC):
    """One way to print what a scan found; ``problems`` are the flows ``check`` reports."""

    @abstractmethod
    def render(self, result: ScanResult, problems: Sequence[Any] = ()) -> str:
        """The whole output as text."""
