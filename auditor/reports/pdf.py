"""The audit report as HTML and as PDF: Jinja2 templates in ``templates/``, printed by WeasyPrint.

``render_pdf`` is the library entry: it reads a stored scan, renders it, attaches the scan's
evidence JSON and prints its SHA-256 in every page footer. WeasyPrint is imported only here,
and only when a PDF is written.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError, UsageError
from auditor.planning import cents
from auditor.reports import charts
from auditor.reports.data import build_report
from auditor.reports.integrity import METADATA_KEY
from auditor.reports.model import DEFAULT_APPENDIX_LIMIT, AuditReport
from auditor.reports.signing import SigningMaterial, check_signature, sign_pdf
from auditor.resources import resource_dir

TEMPLATE = "report.html.j2"
PDF_VARIANT = "pdf/a-3b"


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


def render_html(report: AuditReport) -> str:
    """The report as one HTML document (print CSS inlined, charts as inline SVG)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(resource_dir("templates"))),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["num"] = lambda n: f"{n:,}"
    env.filters["cents"] = cents
    env.filters["size"] = human_size
    return env.get_template(TEMPLATE).render(r=report, charts=_charts(report), metadata_key=METADATA_KEY)


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
    written_html = None
    if html_path is not None:
        written_html = Path(html_path)
        try:
            written_html.write_text(render_html(report), encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write {written_html}: {exc.strerror or exc}") from None
    # Printed beside the target and renamed over it: a failure never truncates an existing file.
    partial = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
    try:
        pages, produced = write_pdf(report, partial, pdf_variant=pdf_variant)
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
        pdf_path, report.scan["id"], pages, report.evidence_sha256, produced, written_html, pdf_sha256, signed_by
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


def _charts(report: AuditReport) -> dict[str, str]:
    verdicts = [
        charts.Bar(name, report.by_verdict[name], charts.VERDICT_COLOURS[name])
        for name in ("local_only", "conditional", "allow")
    ]
    out = {
        "verdicts": charts.stacked_bar(verdicts, width=640, title="Flows by verdict"),
        "categories": charts.horizontal_bars(
            [charts.Bar(c, n, "#2b6cb0") for c, n in report.by_category.items()],
            width=640,
            title="Findings by category",
        ),
    }
    if report.routing is not None:
        out["cost"] = _cost_chart(report.routing)
    if report.trend:
        trend = report.trend
        groups = list(report.by_category)
        out["trend"] = charts.grouped_bars(
            groups,
            [
                (f"scan {trend.previous_id} (previous)", [trend.previous_by_category.get(c, 0) for c in groups]),
                (f"scan {report.scan['id']} (this)", [report.by_category.get(c, 0) for c in groups]),
                ("new", [trend.new_by_category.get(c, 0) for c in groups]),
                ("fixed", [trend.fixed_by_category.get(c, 0) for c in groups]),
            ],
            width=640,
            height=220,
            title="Findings by category against the previous scan",
        )
    return out


def css_string(value: Any) -> Any:
    """``value`` as a quoted CSS string for a ``<style>`` block (``<`` escaped, so no ``</style>``)."""
    from markupsafe import Markup

    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(f'"{text}"')


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:,} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return str(size)


def _cost_chart(plan: dict) -> str:
    days = sorted({d["day"] for d in plan["days"]})
    destinations = sorted({d["destination"] for d in plan["days"]})
    today = {(d["day"], d["destination"]): float(d["cost_today"]) for d in plan["days"]}
    planned = {(d["day"], d["destination"]): float(d["cost_planned"]) for d in plan["days"]}
    return charts.cost_by_day(
        days, destinations, today, planned, currency=plan["currency"], width=640, height=240,
        title=f"Cost per day by destination: today (T) and with the plan (P), {plan['currency']}",
    )  # fmt: skip
