"""``auditor report``: the audit PDF of a stored scan, and ``auditor report verify`` to check one."""

from __future__ import annotations

import click

from auditor.cli._listing import db_option
from auditor.errors import UsageError

EXIT_MISMATCH = 1


@click.group("report", invoke_without_command=True)
@click.option("--scan", default="latest", show_default=True, help="Scan id, `latest` or `previous`.")
@db_option
@click.option("--pdf", "pdf_path", metavar="FILE", default=None, help="Write the PDF here (required).")
@click.option("--html", "html_path", metavar="FILE", default=None, help="Also write the HTML it is printed from.")
@click.option(
    "--framework",
    "frameworks",
    multiple=True,
    metavar="NAME",
    help="Only this framework's results and flows (HIPAA, SOX, ITAR, PRIVACY or a pack id); repeatable.",
)
@click.option("--title", default=None, help="Title on the cover [default: AI data-residency audit].")
@click.option("--org", "organisation", default=None, help="Organisation named on the cover.")
@click.option(
    "--appendix-limit",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="List at most N findings in the appendix, summarise the rest [default: 1000].",
)
@click.pass_context
def report_command(ctx, scan, db, pdf_path, html_path, frameworks, title, organisation, appendix_limit) -> int:
    """Write the audit report (PDF, optionally HTML) of a stored scan; `report verify FILE` checks one."""
    if ctx.invoked_subcommand is not None:
        return 0
    if not pdf_path:
        raise UsageError("auditor report needs --pdf FILE (or: auditor report verify FILE)")
    from auditor.reports.model import DEFAULT_APPENDIX_LIMIT
    from auditor.reports.pdf import render_pdf

    done = render_pdf(
        pdf_path,
        scan=scan,
        db=db,
        html_path=html_path,
        frameworks=tuple(frameworks),
        title=title,
        organisation=organisation,
        appendix_limit=DEFAULT_APPENDIX_LIMIT if appendix_limit is None else appendix_limit,
    )
    variant = done.pdf_variant.upper() if done.pdf_variant else "plain PDF (this WeasyPrint cannot write PDF/A-3b)"
    click.echo(f"wrote {done.path}: scan {done.scan_id}, {done.pages} pages, {variant}", err=True)
    if done.html_path:
        click.echo(f"wrote {done.html_path}", err=True)
    click.echo(f"evidence sha256 {done.evidence_sha256}", err=True)
    click.echo(f"pdf sha256 {done.pdf_sha256} (recorded in the database)", err=True)
    return 0


@report_command.command("verify")
@click.argument("pdf_file", type=click.Path(dir_okay=False))
@db_option
def verify_command(pdf_file, db) -> int:
    """Recompute a report's evidence from the database; exit 0 if it matches, 1 if not."""
    from auditor.reports.integrity import verify_pdf
    from auditor.store import open_database

    engine = open_database(db)
    try:
        with engine.connect() as conn:
            result = verify_pdf(pdf_file, conn)
    finally:
        engine.dispose()
    click.echo(f"scan {result.scan_id}")
    click.echo(f"file sha256        {result.file_sha256} ({'recorded' if result.file_recorded else 'NOT recorded'})")
    click.echo(f"attachment sha256  {result.attachment_sha256}")
    click.echo(f"printed sha256     {result.recorded_sha256 or '(none)'}")
    click.echo(f"database sha256    {result.database_sha256}")
    if result.matches:
        click.echo("MATCH: the file is the report auditor wrote, and its evidence is what the database holds")
        return 0
    if not result.file_recorded:
        click.echo(
            "MISMATCH: the file is not the PDF auditor wrote for this scan (altered after rendering: pages, "
            "text or attachment; or rendered against another database)"
        )
    if result.attachment_sha256 != result.recorded_sha256:
        click.echo("MISMATCH: the attachment is not the evidence the report printed (the PDF was altered)")
    elif result.attachment_sha256 != result.database_sha256:
        click.echo("MISMATCH: the database no longer holds this evidence for the scan (changed, or another database)")
    return EXIT_MISMATCH
