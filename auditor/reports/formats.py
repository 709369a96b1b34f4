"""Each ``OutputFormat`` to the module that prints it (see ``interface``)."""

from __future__ import annotations

from typing import assert_never

from auditor.errors import UsageError
from auditor.reports.interface import PDF_VARIANT, OutputFormat, ReportFormat, ResultFormat
from auditor.reports.json import JsonFormat
from auditor.reports.sarif import SarifFormat
from auditor.reports.table import TableFormat


def result_format(choice: OutputFormat, *, verbose: bool = False) -> ResultFormat:
    """The format module for ``choice`` (text is the check's own line-per-problem output, see
    ``cli/check.py``; here it is the table)."""
    match choice:
        case OutputFormat.TABLE | OutputFormat.TEXT:
            return TableFormat(verbose)
        case OutputFormat.JSON:
            return JsonFormat()
        case OutputFormat.SARIF:
            return SarifFormat()
        case OutputFormat.PDF | OutputFormat.HTML:
            raise UsageError(f"{choice} is written from a stored scan: auditor report --{choice} FILE")
        case _:
            assert_never(choice)


def report_format(choice: OutputFormat, *, pdf_variant: str | None = PDF_VARIANT) -> ReportFormat:
    """The report format module for ``choice`` (imported on use: Jinja2 and WeasyPrint load
    only when a report is written)."""
    match choice:
        case OutputFormat.PDF:
            from auditor.reports.pdf import PdfFormat

            return PdfFormat(pdf_variant)
        case OutputFormat.HTML:
            from auditor.reports.html import HtmlFormat

            return HtmlFormat()
        case OutputFormat.TABLE | OutputFormat.TEXT | OutputFormat.JSON | OutputFormat.SARIF:
            raise UsageError(f"{choice} prints a scan result, not a stored scan's report")
        case _:
            assert_never(choice)
