"""``auditor check``, ``auditor baseline`` and ``auditor hook``: the pre-commit path.

``check`` scans only the files it is given (or the staged ones), with regexes first and NLP
only where a text needs it, prints one line per problem and one line of fix, and exits 1 at
or above fail_on. Nothing is stored unless ``--store``.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import click

from auditor.reports.interface import CHECK_FORMATS, OutputFormat
from auditor.siteconfig import FAIL_ON_VALUES

EXIT_FINDINGS = 1
HOOK_MARK = "# installed by `auditor hook install`"


@click.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=str))
@click.option("--staged", is_flag=True, help="Check the files staged for commit (git).")
@click.option("--format", "fmt", type=click.Choice([f.value for f in CHECK_FORMATS]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(FAIL_ON_VALUES), default=None, help="[default: the site's, else unmet]")
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Baseline file [default: .auditor-baseline.json at the project root, if present].",
)
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--store", is_flag=True, help="Also record this check in the findings database.")
@click.option("--db", metavar="URL", default=None, help="Database for --store.")
def check_command(
    files: tuple[str, ...],
    staged: bool,
    fmt: str,
    fail_on: str | None,
    baseline_file: Path | None,
    config_file: Path | None,
    store: bool,
    db: str | None,
) -> int:
    """Check FILES (or --staged) for regulated data headed to external AI APIs; exit 1 to block."""
    from auditor.baseline import BASELINE_FILE, load_baseline
    from auditor.checking import check_files
    from auditor.config import ScanConfig
    from auditor.errors import UsageError
    from auditor.siteconfig import project_root

    names = list(files)
    if staged:
        names += _staged_files()
    elif not names:
        raise UsageError("name the files to check, or pass --staged")
    names = [n for n in dict.fromkeys(names) if os.path.isfile(n)]
    if not names:
        return 0  # deleted files only, or nothing staged: nothing can leak
    root = project_root(Path(names[0]))
    baseline = load_baseline(baseline_file or root / BASELINE_FILE)
    config = ScanConfig(config_file=config_file, fail_on=fail_on)
    if store:
        from auditor.store import scan_into_database

        with scan_into_database(db, names, enabled=True) as recording:
            checked = check_files(names, config, baseline)
            recording.complete(checked.result)
    else:
        checked = check_files(names, config, baseline)
    if fmt == OutputFormat.SARIF:
        from auditor.reports.formats import result_format

        click.echo(result_format(OutputFormat.SARIF).render(checked.result, checked.problems), nl=False)
    elif fmt == OutputFormat.JSON:
        import json

        from auditor.reports.json import flow_to_dict

        problems = [
            {"line": p.line(), "fix": p.fix(), "flow": flow_to_dict(p.flow, checked.result.fail_on)}
            for p in checked.problems
        ]
        click.echo(json.dumps({"problems": problems, "baselined": checked.baselined}, indent=2))
    else:
        for problem in checked.problems:
            click.echo(problem.line())
            click.echo(f"  {problem.fix()}")
        for skip in checked.result.skipped:
            click.echo(f"{skip.path}: skipped: {skip.reason}", err=True)
        if checked.problems:
            click.echo(
                f"auditor: {len(checked.problems)} flows at or above fail_on={checked.result.fail_on}"
                + (f" ({checked.baselined} more in the baseline)" if checked.baselined else ""),
                err=True,
            )
    return EXIT_FINDINGS if checked.problems else 0


def _staged_files() -> list[str]:
    from auditor.errors import UsageError

    try:
        out = subprocess.run(
            ["git", "diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z"],
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        raise UsageError("--staged needs a git repository (git diff --cached failed)") from None
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False)
    base = Path(top.stdout.strip() or ".")
    cwd = Path.cwd()
    names = [n for n in out.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return [os.path.relpath(base / n, cwd) for n in names]


@click.group("baseline")
def baseline_group() -> None:
    """Accept today's flows so that `check` reports only new ones."""


@baseline_group.command("create")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=str))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def baseline_create(paths: tuple[str, ...], out: Path | None, config_file: Path | None) -> int:
    """Scan PATHS (default: the project root) and write .auditor-baseline.json."""
    from auditor.baseline import BASELINE_FILE, write_baseline
    from auditor.checking import check_files
    from auditor.config import ScanConfig
    from auditor.siteconfig import project_root

    root = project_root(Path(paths[0] if paths else "."))
    targets = list(paths) or [os.path.relpath(root)]
    checked = check_files(targets, ScanConfig(config_file=config_file))
    target = out or root / BASELINE_FILE
    count = write_baseline(checked.result, target)
    click.echo(f"wrote {target}: {count} flows at or above fail_on={checked.result.fail_on}", err=True)
    return 0


@click.group("hook")
def hook_group() -> None:
    """A plain git pre-commit hook, for teams without the pre-commit framework."""


@hook_group.command("install")
@click.option("--force", is_flag=True, help="Replace a pre-commit hook auditor did not install.")
def hook_install(force: bool) -> int:
    """Install .git/hooks/pre-commit running `auditor check --staged`."""
    from auditor.errors import UsageError

    found = subprocess.run(["git", "rev-parse", "--git-path", "hooks"], capture_output=True, text=True, check=False)
    if found.returncode != 0:
        raise UsageError("not inside a git repository")
    hooks = Path(found.stdout.strip())
    hooks.mkdir(parents=True, exist_ok=True)
    hook = hooks / "pre-commit"
    if hook.exists() and HOOK_MARK not in hook.read_text(errors="replace") and not force:
        raise UsageError(f"{hook} exists and was not installed by auditor; use --force to replace it")
    exe = shutil.which("auditor") or str(Path(sys.argv[0]).resolve())
    hook.write_text(f'#!/bin/sh\n{HOOK_MARK}\nexec "{exe}" check --staged\n', encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    click.echo(f"installed {hook}", err=True)
    return 0
