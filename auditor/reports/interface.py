"""The seam for output formats: abstract formats, one module per format, one enum of choices.

Every output auditor writes is an ``OutputFormat``; ``formats`` maps each choice to its module,
and ``assert_never`` makes a new choice without a format a type error. There are two kinds,
by what they print:
- ``ResultFormat``: what a scan found, from a live ``ScanResult`` (``scan`` and ``check``):
  table, JSON and SARIF (``table.py``, ``json.py``, ``sarif.py``);
- ``ReportFormat``: the audit report of a stored scan, from an ``AuditReport`` that
  ``data.build_report`` assembles from the database (``auditor report``): HTML and PDF
  (``html.py``, ``pdf.py``; ``pdf.render_pdf`` writes both, signs and records).
Listings of the store print rows (``cli/_listing``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.model import ScanResult

if TYPE_CHECKING:
    from auditor.reports.model import AuditReport


class OutputFormat(StrEnum):
    """What ``--format`` may name (``scan``: table and json; ``check``: text, json and sarif),
    and the files ``auditor report`` writes (``--pdf``, ``--html``)."""

    TABLE = "table"
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    PDF = "pdf"
    HTML = "html"


SCAN_FORMATS = (OutputFormat.TABLE, OutputFormat.JSON)
CHECK_FORMATS = (OutputFormat.TEXT, OutputFormat.JSON, OutputFormat.SARIF)
REPORT_FORMATS = (OutputFormat.PDF, OutputFormat.HTML)
# What a PDF report is printed as, where WeasyPrint can (archival, with embedded files).
PDF_VARIANT = "pdf/a-3b"


class ResultFormat(ABC):
    """One way to print what a scan found; ``problems`` are the flows ``check`` reports."""

    @abstractmethod
    def render(self, result: ScanResult, problems: Sequence[Any] = ()) -> str:
        """The whole output as text."""


@dataclass(frozen=True, slots=True)
class WrittenReport:
    """What a report format wrote: the file, its pages and the PDF variant, where they apply."""

    path: Path
    pages: int | None = None  # a paged format's page count
    variant: str | None = None  # the PDF variant produced ("pdf/a-3b"), None for a plain PDF


class ReportFormat(ABC):
    """One way to write the audit report of a stored scan to a file."""

    @abstractmethod
    def write(self, report: AuditReport, path: Path) -> WrittenReport:
        """Write the whole report to ``path`` (ConfigError, one line, if it cannot)."""
