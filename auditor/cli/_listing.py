"""What the query commands share: ``--db``, ``--format``, filter parsing and row printing."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import click

from auditor.errors import UsageError

if TYPE_CHECKING:  # SQLAlchemy loads only for the query commands
    from auditor.store.repository import Filters

FC = TypeVar("FC", bound=Callable[..., Any])  # a click command callback, as a decorator returns it

db_option = click.option(
    "--db",
    "db",
    metavar="URL",
    default=None,
    help="Database URL or SQLite file [default: $AUDITOR_DATABASE_URL, else .auditor/findings.db "
    "under the git root of the current directory].",
)


def format_option(choices: Sequence[str] = ("table", "json", "csv")) -> Callable[[FC], FC]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=None,
        help="Output format [default: table on a terminal, json otherwise].",
    )


def pick_format(fmt: str | None) -> str:
    return fmt or ("table" if sys.stdout.isatty() else "json")


def read(db: str | None, query: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """One read of the findings database (``--db``): ``query(conn, *args, **kwargs)``."""
    from auditor.store import open_database  # SQLAlchemy loads only for the query commands

    with open_database(db).connect() as conn:
        return query(conn, *args, **kwargs)


def emit_rows(rows: list[dict[str, Any]], fmt: str, table_columns: Sequence[str]) -> None:
    """Print rows: every column in JSON and CSV, the chosen ones in a table."""
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        buffer = io.StringIO()
        columns = list(rows[0]) if rows else list(table_columns)
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()})
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(render_table(rows, table_columns))


def render_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain fixed-width table; ``(none)`` when there is no row."""
    if not rows:
        return "(none)"
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"


_DURATION = re.compile(r"^(\d+)\s*([dwy])$")


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """A date (``2024-06-01``), an ISO 8601 time, or an age (``7d``, ``2w``, ``6y``) as a UTC moment."""
    now = now or datetime.now(UTC)
    match = _DURATION.match(text.strip().lower())
    if match:
        return now - parse_age(text)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{text!r}: expected a date (2024-06-01), an ISO time, or an age such as 7d, 2w, 6y") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_age(text: str) -> timedelta:
    """``7d``, ``2w``, ``6y`` as a length of time (a year is 365.25 days)."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise UsageError(f"{text!r}: expected an age such as 30d, 8w or 7y")
    number, unit = int(match.group(1)), match.group(2)
    return timedelta(days=number * {"d": 1, "w": 7, "y": 365.25}[unit])


def filter_options(command: FC) -> FC:
    """The filters ``findings list`` and ``flows list`` share."""
    options = [
        click.option("--scan", default="latest", show_default=True, metavar="ID|latest", help="Which scan."),
        click.option("--target", default=None, metavar="TARGET", help="With latest: the newest scan of this target."),
        click.option(
            "--category", "categories", multiple=True, help="PHI, PII, FINANCIAL, EXPORT_CONTROLLED; repeatable."
        ),
        click.option(
            "--framework", "frameworks", multiple=True, help="A rule in the trail from this framework (HIPAA...)."
        ),
        click.option(
            "--verdict",
            "verdicts",
            multiple=True,
            type=click.Choice(["allow", "conditional", "local_only"]),
            help="Flows with this verdict (findings: carried by one); repeatable.",
        ),
        click.option("--destination", "destinations", multiple=True, help="Destination id (openai, ollama...)."),
        click.option("--path", "path_glob", default=None, metavar="GLOB", help="Paths relative to the project root."),
        click.option("--since", default=None, metavar="DATE", help="First seen on or after DATE (2024-06-01, 7d)."),
        click.option("--new-since", default=None, metavar="SCAN", help="Absent from scan SCAN (id or previous)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def filters_from(
    scan: str,
    target: str | None,
    categories: Sequence[str],
    frameworks: Sequence[str],
    verdicts: Sequence[str],
    destinations: Sequence[str],
    path_glob: str | None,
    since: str | None,
    new_since: str | None,
) -> Filters:
    """The repository's Filters from the parsed options."""
    from auditor.store.repository import Filters

    return Filters(
        scan=scan,
        target=target,
        categories=tuple(categories),
        frameworks=tuple(frameworks),
        verdicts=tuple(verdicts),
        destinations=tuple(destinations),
        path_glob=path_glob,
        since=parse_moment(since) if since else None,
        new_since=new_since,
    )
