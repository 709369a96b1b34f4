"""The routing plan as text: one table per destination and verdict, one per day, the totals,
and where every price came from (the table's dates, the self-hosted assumption)."""

from __future__ import annotations

import json
from typing import Any

from auditor.planning import cents


def render_plan_json(plan: dict[str, Any]) -> str:
    """The plan as JSON: money as exact decimal strings (a millionth of the currency unit)."""
    return json.dumps(plan, indent=2, ensure_ascii=False) + "\n"


def render_plan_table(plan: dict[str, Any]) -> str:
    """The plan for a terminal: money rounded to the cent."""
    cur = plan["currency"]
    prices = plan["prices"]
    sh = prices["self_hosted"]
    route = prices["local_route"]
    lines = [
        f"Prices: {prices['table']} (as of {_span(prices['as_of'])}), {cur} per 1K tokens; "
        f"self-hosted {sh['per_1k_tokens']}/1K as of {sh['as_of']}"
        + (" (an ASSUMPTION: set your own)" if sh["assumption"] else ""),
        f"Local route: {route['destination']} ({route['kind']})"
        + (f" at {route['base_url']}" if route["base_url"] else " (none configured: self-hosted cost assumed)"),
        "",
    ]
    header = (
        "destination",
        "kind",
        "verdict",
        "requests",
        "input tok",
        "output tok",
        "est.",
        "must",
        "could",
        f"today {cur}",
        f"planned {cur}",
    )
    rows = [
        (
            r["destination"],
            r["kind"],
            r["verdict"],
            r["requests"],
            r["input_tokens"],
            r["output_tokens"],
            r["estimated_requests"],
            r["must_move"],
            r["could_move"],
            cents(r["cost_today"]),
            cents(r["cost_planned"]),
        )
        for r in plan["rows"]
    ]
    t = plan["totals"]
    total = (
        "TOTAL",
        "",
        "",
        t["requests"],
        t["input_tokens"],
        t["output_tokens"],
        t["estimated_requests"],
        t["must_move"],
        t["could_move"],
        cents(t["cost_today"]),
        cents(t["cost_planned"]),
    )
    lines += _grid(header, rows, total)
    if plan["days"] and any(d["day"] != "undated" for d in plan["days"]):
        lines += ["", "Per day"]
        lines += _grid(
            ("day", "destination", f"today {cur}", f"planned {cur}"),
            [(d["day"], d["destination"], cents(d["cost_today"]), cents(d["cost_planned"])) for d in plan["days"]],
        )
    lines += [
        "",
        f"Cost today {cents(t['cost_today'])} {cur}; with the plan {cents(t['cost_planned'])} {cur}; "
        f"saving {cents(t['saving'])} {cur}. Must move: {t['must_move']} requests; could move: {t['could_move']}.",
    ]
    if t["estimated_requests"]:
        lines.append(f"{t['estimated_requests']} request(s) had no logged usage: tokens ESTIMATED from text (chars/4).")
    without = plan["without_tokens"]
    if without["requests"]:
        examples = ", ".join(without["examples"])
        lines.append(f"{without['requests']} request(s) had no usage and no text: counted with no tokens ({examples}).")
    for item in plan["unpriced"]:
        lines.append(f"no price for {item['destination']} model {item['model']!r}: {item['requests']} requests at 0")
    return "\n".join(lines) + "\n"


def _span(as_of: dict[str, str]) -> str:
    return as_of["oldest"] if as_of["oldest"] == as_of["newest"] else f"{as_of['oldest']} to {as_of['newest']}"


def _grid(header: tuple[Any, ...], rows: list[tuple[Any, ...]], total: tuple[Any, ...] | None = None) -> list[str]:
    every = [header, *rows, *([total] if total else [])]
    widths = [max(len(str(r[i])) for r in every) for i in range(len(header))]

    def line(row: tuple[Any, ...]) -> str:
        cells = [
            str(v).rjust(w) if isinstance(v, int) or _is_money(v) else str(v).ljust(w)
            for v, w in zip(row, widths, strict=True)
        ]
        return "  ".join(cells).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    if total:
        out += ["  ".join("-" * w for w in widths), line(total)]
    return out


def _is_money(value: Any) -> bool:
    return isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit()
