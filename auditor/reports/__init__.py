"""Reports: a ScanResult rendered for people (table, PDF) and for programs (json).

``render_pdf`` (the audit report of a stored scan) is imported on first use, so code that
only prints tables or JSON never loads Jinja2 or WeasyPrint.
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_html", "render_pdf"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from auditor.reports import pdf

        return getattr(pdf, name)
    raise AttributeError(f"module 'auditor.reports' has no attribute {name!r}")
