"""Printing lists of rows as a table, JSON or CSV: one helper for every list command."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import click


def print_rows(rows: Sequence[dict[str, Any]], fmt: str) -> None:
    """Rows of one shape: an aligned table, a JSON array or CSV with a header."""
    if fmt == "json":
        click.echo(json.dumps(list(rows), indent=2, ensure_ascii=False, default=str))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
        return
    if not rows:
        click.echo("(none)")
        return
    columns = list(rows[0])
    cells = [[("" if row[c] is None else str(row[c])) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
