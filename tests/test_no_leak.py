"""The auditor never becomes a leak: no raw identifier of the examples in anything it prints or writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support.cli import EXAMPLES, auditor_cli
from support.leaks import IDENTIFIERS, leaks

import auditor


def example_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.rglob("*")) if p.is_file())


def test_the_identifier_list_is_real():
    """Each listed identifier is in the examples, so the leak checks below check something."""
    text = example_text()
    assert len(IDENTIFIERS) >= 30
    assert [i for i in IDENTIFIERS if i not in text] == []


@pytest.fixture(scope="module")
def cli_outputs(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("out")
    env = {"AUDITOR_FINGERPRINT_KEY": "leak-test", "XDG_CONFIG_HOME": str(out_dir / "config")}
    runs = [
        auditor_cli("scan", str(EXAMPLES), "--format", "json", env=env),
        auditor_cli("scan", str(EXAMPLES), "--format", "table", "-v", env=env),
        auditor_cli("scan", str(EXAMPLES), "--format", "json", "--out", str(out_dir / "scan.json"), env=env),
        auditor_cli("scan", str(EXAMPLES), "--format", "table", "--out", str(out_dir / "scan.txt"), env=env),
    ]
    return runs, out_dir


def test_scan_finds_the_examples_sensitive_data(cli_outputs):
    runs, _ = cli_outputs
    # The examples send PHI, MNPI and ITAR data to external APIs on purpose: exit 1.
    assert all(run.returncode == 1 for run in runs), [run.stderr for run in runs]
    document = json.loads(runs[0].stdout)
    assert document["summary"]["failing"] >= 5
    counts = document["summary"]["by_category"]
    assert counts["PHI"] >= 30 and counts["FINANCIAL"] >= 10 and counts["EXPORT_CONTROLLED"] >= 8
    assert any(s["line"] == 7 and s["reason"].startswith("malformed JSON") for s in document["skipped"])


def test_no_raw_identifier_is_printed(cli_outputs):
    runs, _ = cli_outputs
    for run in runs:
        assert leaks(run.stdout) == [] and leaks(run.stderr) == []


def test_no_raw_identifier_is_written(cli_outputs):
    _, out_dir = cli_outputs
    written = [p for p in Path(out_dir).rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"scan.json", "scan.txt"}
    for path in written:
        assert leaks(path.read_bytes().decode("utf-8", errors="replace")) == [], path


def test_no_raw_identifier_in_the_library_result():
    result = auditor.scan([str(EXAMPLES)])
    assert leaks(repr(result)) == []


def test_internal_errors_do_not_quote_scanned_data(tmp_path):
    """An exception's text can hold data; the CLI prints only its type unless debugging."""
    broken = tmp_path / "sitecustomize.py"
    broken.write_text(
        "import auditor.pipeline as p\n"
        "def boom(*a, **k):\n"
        "    raise RuntimeError('Patient Augustin Pellegrino-Hart, MRN 00562198')\n"
        "p.run_scan = boom\n"
    )
    env = {"PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    out = auditor_cli("scan", str(EXAMPLES), env=env)
    assert out.returncode == 3
    assert "internal error (RuntimeError)" in out.stderr and leaks(out.stderr) == []
