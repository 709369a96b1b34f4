"""Each ``OutputFormat`` to the module that prints it (see ``interface``)."""

from __future__ import annotations

from typing import assert_never

from auditor.reports.interface import OutputFormat, ResultFormat
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
        case _:
            assert_never(choice)
