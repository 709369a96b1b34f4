"""The ``auditor`` command: parses, wires and prints; decisions live in the library.

One error boundary: known errors become one line on stderr and their exit code (2 usage or
configuration, 3 internal, 130 interrupted); tracebacks only with ``AUDITOR_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys

import click

from auditor import interrupts
from auditor.cli.check import baseline_group, check_command, hook_group
from auditor.cli.db import db_command
from auditor.cli.diff import diff_command
from auditor.cli.findings import findings_command
from auditor.cli.flows import flows_command
from auditor.cli.plan import plan_command
from auditor.cli.report import report_command
from auditor.cli.rules import destinations_group, rules_group
from auditor.cli.scan import scan_command
from auditor.cli.scans import scans_command
from auditor.errors import AuditorError
from auditor.version import __version__

EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="auditor")
def cli() -> None:
    """Find regulated data (PHI, PII, financial, export-controlled) headed for AI models."""


cli.add_command(scan_command)
cli.add_command(scans_command)
cli.add_command(findings_command)
cli.add_command(flows_command)
cli.add_command(diff_command)
cli.add_command(db_command)
cli.add_command(report_command)
cli.add_command(plan_command)
cli.add_command(rules_group)
cli.add_command(check_command)
cli.add_command(baseline_group)
cli.add_command(hook_group)
cli.add_command(destinations_group)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns (and exits with) the exit code."""
    with interrupts.remembered():  # Ctrl-C is never lost in a callback (auditor/interrupts.py)
        code = _run(argv)
    sys.exit(code)


def _run(argv: list[str] | None) -> int:
    try:
        result = cli.main(args=argv, prog_name="auditor", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        return EXIT_USAGE
    except click.UsageError as exc:
        _fail(exc.format_message())
        return EXIT_USAGE
    except click.ClickException as exc:
        _fail(exc.format_message())
        return EXIT_USAGE
    except (KeyboardInterrupt, click.exceptions.Abort):
        _fail("interrupted")
        return EXIT_INTERRUPTED
    except AuditorError as exc:
        _fail(str(exc))
        return exc.exit_code
    except Exception as exc:  # the boundary: anything else is our bug
        if os.environ.get("AUDITOR_DEBUG"):
            raise
        # The type only: an exception's text may quote the data being scanned.
        _fail(f"internal error ({type(exc).__name__}); rerun with AUDITOR_DEBUG=1 for details")
        return EXIT_INTERNAL


def _fail(message: str) -> None:
    first_line = message.strip().splitlines()[0] if message.strip() else "error"
    click.echo(f"auditor: error: {first_line}", err=True)
