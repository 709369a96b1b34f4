"""``auditor report``: the audit PDF of a stored scan, and ``auditor report verify`` to check one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from auditor.cli._listing import db_option
from auditor.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from auditor.reports.signing import SignatureCheck
    from auditor.siteconfig import SiteConfig

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
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Site configuration for prices and routing [default: found from the scan's root up].",
)
@click.option(
    "--allow-incomplete",
    is_flag=True,
    help="Report a scan that is not complete (abandoned, or still running); the cover says so.",
)
@click.option(
    "--sign-key",
    metavar="FILE",
    default=None,
    help="Sign the PDF (PAdES) with this private key (PEM/DER) [default: signing_key in [tool.auditor]].",
)
@click.option(
    "--sign-cert",
    metavar="FILE",
    default=None,
    help="The certificate of the signing key [default: signing_cert in [tool.auditor]].",
)
@click.pass_context
def report_command(
    ctx: click.Context,
    scan: str,
    db: str | None,
    pdf_path: str | None,
    html_path: str | None,
    frameworks: tuple[str, ...],
    title: str | None,
    organisation: str | None,
    appendix_limit: int | None,
    allow_incomplete: bool,
    sign_key: str | None,
    sign_cert: str | None,
    config_file: str | None,
) -> int:
    """Write the audit report (PDF, optionally HTML) of a stored scan; `report verify FILE` checks one."""
    if ctx.invoked_subcommand is not None:
        return 0
    if not pdf_path:
        raise UsageError("auditor report needs --pdf FILE (or: auditor report verify FILE)")
    from auditor.reports.model import DEFAULT_APPENDIX_LIMIT
    from auditor.reports.pdf import render_pdf
    from auditor.reports.signing import signing_material

    site = _site_config(config_file)
    signing = signing_material(sign_key, sign_cert, site.signing_key, site.signing_cert)

    done = render_pdf(
        pdf_path,
        scan=scan,
        db=db,
        html_path=html_path,
        frameworks=tuple(frameworks),
        title=title,
        organisation=organisation,
        appendix_limit=DEFAULT_APPENDIX_LIMIT if appendix_limit is None else appendix_limit,
        allow_incomplete=allow_incomplete,
        signing=signing,
        config_file=config_file,
    )
    variant = done.pdf_variant.upper() if done.pdf_variant else "plain PDF (this WeasyPrint cannot write PDF/A-3b)"
    click.echo(f"wrote {done.path}: scan {done.scan_id}, {done.pages} pages, {variant}", err=True)
    if done.html_path:
        click.echo(f"wrote {done.html_path}", err=True)
    click.echo(f"evidence sha256 {done.evidence_sha256}", err=True)
    click.echo(f"pdf sha256 {done.pdf_sha256} (recorded in the database)", err=True)
    if done.signed_by:
        click.echo(f"signed (PAdES) by {done.signed_by}", err=True)
    return 0


def _site_config(config_file: str | None = None) -> SiteConfig:
    """The site configuration named by --config, or found from the current directory (for its
    signing key)."""
    from pathlib import Path

    from auditor.siteconfig import SiteConfig, find_config_file, load_site_config

    found = Path(config_file) if config_file else find_config_file(Path.cwd())
    return load_site_config(found) if found is not None else SiteConfig()


@report_command.command("verify")
@click.argument("pdf_file", type=click.Path(dir_okay=False))
@db_option
@click.option(
    "--trust",
    "trust_cert",
    metavar="FILE",
    default=None,
    help="Certificate a signature must chain to [default: signing_cert in [tool.auditor], if any].",
)
def verify_command(pdf_file: str, db: str | None, trust_cert: str | None) -> int:
    """Recompute a report's evidence from the database and check its signature; exit 0 if all hold, 1 if not."""
    from pathlib import Path

    from auditor.reports.integrity import verify_pdf
    from auditor.reports.signing import check_signature
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
    trust = Path(trust_cert) if trust_cert else _site_config().signing_cert
    signature = check_signature(Path(pdf_file), trust)
    click.echo(f"signature          {_describe(signature, trust)}")
    signature_holds = not signature.signed or signature.ok
    if result.matches and signature_holds:
        click.echo("MATCH: the file is the report auditor wrote, and its evidence is what the database holds")
        return 0
    if not signature_holds:
        click.echo("MISMATCH: the signature does not hold (the file was changed after it was signed, or untrusted)")
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


def _describe(signature: SignatureCheck, trust: Path | None) -> str:
    """One line on the PDF's signature, for ``report verify``."""
    if not signature.signed:
        return "none"
    if signature.problem:
        return f"BROKEN: {signature.problem}"
    parts = [
        "intact" if signature.intact else "NOT INTACT (signed bytes changed)",
        "valid" if signature.valid else "NOT VALID",
        "covers the whole file" if signature.whole_file else "DOES NOT COVER the whole file (bytes added since)",
    ]
    if signature.trusted is None:
        parts.append("not checked against a trusted certificate (--trust FILE)")
    else:
        parts.append(f"{'trusted' if signature.trusted else 'NOT TRUSTED'}: {trust}")
    return f"PAdES by {signature.signer}: " + ", ".join(parts) + "; revocation not checked (offline)"
