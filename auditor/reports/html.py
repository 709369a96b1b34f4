"""The audit report as HTML: the Jinja2 template in ``templates/`` filled from an ``AuditReport``.

One of the report formats (``interface.ReportFormat``); the PDF is printed from this HTML
(``pdf.py``). Jinja2 is imported only when a report is rendered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.errors import ConfigError
from auditor.planning import cents
from auditor.reports import charts
from auditor.reports.integrity import METADATA_KEY
from auditor.reports.interface import ReportFormat, WrittenReport
from auditor.reports.model import AuditReport
from auditor.resources import resource_dir

TEMPLATE = "report.html.j2"


class HtmlFormat(ReportFormat):
    """The report as one HTML document (print CSS inlined, charts as inline SVG)."""

    def write(self, report: AuditReport, path: Path) -> WrittenReport:
        try:
            path.write_text(render_html(report), encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
        return WrittenReport(path)


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
    amount = float(size)
    for unit in ("B", "KB", "MB"):
        if amount < 1024 or unit == "MB":
            return f"{size:,} {unit}" if unit == "B" else f"{amount:,.1f} {unit}"
        amount /= 1024
    return str(amount)


def _cost_chart(plan: dict[str, Any]) -> str:
    days = sorted({d["day"] for d in plan["days"]})
    destinations = sorted({d["destination"] for d in plan["days"]})
    today = {(d["day"], d["destination"]): float(d["cost_today"]) for d in plan["days"]}
    planned = {(d["day"], d["destination"]): float(d["cost_planned"]) for d in plan["days"]}
    return charts.cost_by_day(
        days, destinations, today, planned, currency=plan["currency"], width=640, height=240,
        title=f"Cost per day by destination: today (T) and with the plan (P), {plan['currency']}",
    )  # fmt: skip
