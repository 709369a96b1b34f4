"""The audit report as PDF: its HTML (``html.py``) printed by WeasyPrint, the evidence attached.

``PdfFormat`` is the report format (``interface.ReportFormat``); ``render_pdf`` is the library
entry: it reads a stored scan, writes it in the formats asked for (the PDF always, the HTML if
a path is given), attaches the scan's evidence JSON, prints its SHA-256 in every page footer,
signs the file if asked and records its hash. WeasyPrint is imported only here, and only when a
PDF is written.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError, UsageError
from auditor.reports.data import build_report
from auditor.reports.html import HtmlFormat, render_html
from auditor.reports.interface import PDF_VARIANT, ReportFormat, WrittenReport
from auditor.reports.model import DEFAULT_APPENDIX_LIMIT, AuditReport
from auditor.reports.signing import SigningMaterial, check_signature, sign_pdf
from auditor.resources import resource_dir

__all__ = ["PDF_VARIANT", "PdfFormat", "RenderedReport", "render_html", "render_pdf", "write_pdf"]


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """What ``render_pdf`` wrote."""

    path: Path
    scan_id: int
    pages: int
    evidence_sha256: str
    pdf_variant: str | None  # "pdf/a-3b", or None if WeasyPrint could not produce it
    html_path: Path | None = None
    pdf_sha256: str = ""  # of the finished file, as recorded in the database
    signed_by: str = ""  # the signing certificate's subject, when the PDF was signed


class PdfFormat(ReportFormat):
    """The report printed to PDF (PDF/A-3b where WeasyPrint can), the evidence JSON attached."""

    def __init__(self, pdf_variant: str | None = PDF_VARIANT) -> None:
        self.pdf_variant = pdf_variant

    def write(self, report: AuditReport, path: Path) -> WrittenReport:
        pages, produced = write_pdf(report, path, pdf_variant=self.pdf_variant)
        return WrittenReport(path, pages, produced)


def write_pdf(
    report: AuditReport, pdf_path: str | Path, *, pdf_variant: str | None = PDF_VARIANT
) -> tuple[int, str | None]:
    """Print ``report`` to ``pdf_path`` with its evidence attached; returns (pages, variant produced)."""
    import weasyprint

    html = render_html(report)
    document = weasyprint.HTML(string=html, base_url=str(resource_dir("templates"))).render()
    attachment = weasyprint.Attachment(
        string=report.evidence,
        name=report.evidence_name,
        description=f"auditor scan {report.scan['id']} evidence (canonical JSON, SHA-256 {report.evidence_sha256})",
        relationship="Data",
    )
    options: dict[str, Any] = {"attachments": [attachment], "custom_metadata": True}
    try:
        document.write_pdf(str(pdf_path), pdf_variant=pdf_variant, **options)
        produced = pdf_variant
    except (ValueError, KeyError, NotImplementedError):
        # An older WeasyPrint without this variant: a plain PDF, and the caller says so.
        document.write_pdf(str(pdf_path), **options)
        produced = None
    except OSError as exc:
        raise ConfigError(f"cannot write {pdf_path}: {exc.strerror or exc}") from None
    return len(document.pages), produced


def render_pdf(
    pdf_path: str | Path,
    *,
    scan: str = "latest",
    db: str | None = None,
    html_path: str | Path | None = None,
    frameworks: tuple[str, ...] = (),
    title: str | None = None,
    organisation: str | None = None,
    config_file: Path | str | None = None,
    appendix_limit: int = DEFAULT_APPENDIX_LIMIT,
    pdf_variant: str | None = PDF_VARIANT,
    allow_incomplete: bool = False,
    signing: SigningMaterial | None = None,
) -> RenderedReport:
    """Render stored scan ``scan`` of database ``db`` (default: the project's) to a PDF, and HTML if asked."""
    from auditor.store import open_database

    if appendix_limit < 0:
        raise UsageError("the findings appendix limit must be 0 or more")
    if signing is not None:
        signing.check()  # before any work: a missing key is exit 2, not a lost render
    engine = open_database(db)
    try:
        with engine.connect() as conn:
            report = build_report(
                conn,
                scan,
                frameworks=frameworks,
                title=title,
                organisation=organisation,
                appendix_limit=appendix_limit,
                allow_incomplete=allow_incomplete,
                config_file=config_file,
            )
    finally:
        engine.dispose()
    pdf_path = Path(pdf_path)
    if pdf_path.parent and not pdf_path.parent.is_dir():
        raise UsageError(f"cannot write {pdf_path}: folder {pdf_path.parent} does not exist")
    written_html = HtmlFormat().write(report, Path(html_path)).path if html_path is not None else None
    # Printed beside the target and renamed over it: a failure never truncates an existing file.
    partial = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
    try:
        printed = PdfFormat(pdf_variant).write(report, partial)
        signed_by = ""
        if signing is not None:  # signed last: the recorded hash is of the signed file
            unsigned = partial.with_name(partial.name + ".unsigned")
            os.replace(partial, unsigned)
            try:
                sign_pdf(unsigned, partial, signing)
            finally:
                unsigned.unlink(missing_ok=True)
            signed_by = check_signature(partial, signing.cert).signer
        pdf_sha256 = hashlib.sha256(partial.read_bytes()).hexdigest()
        _record_report(db, report.scan["id"], pdf_sha256, report.evidence_sha256, pdf_path.name)
        os.replace(partial, pdf_path)
    finally:
        partial.unlink(missing_ok=True)
    return RenderedReport(
        pdf_path,
        report.scan["id"],
        printed.pages or 0,
        report.evidence_sha256,
        printed.variant,
        written_html,
        pdf_sha256,
        signed_by,
    )


def _record_report(db: str | None, scan_id: int, pdf_sha256: str, evidence_sha256: str, file_name: str) -> None:
    """Keep the finished PDF's SHA-256 in the database, for ``auditor report verify``."""
    from auditor.store import open_database
    from auditor.store.writer import record_report

    engine = open_database(db)
    try:
        record_report(engine, scan_id, pdf_sha256, evidence_sha256, file_name)
    finally:
        engine.dispose()
