"""The command line as a user meets it: output formats, exit codes, one-line errors."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from support.cli import auditor_cli

NOTE = "Patient Maria Okafor (DOB 04/17/1958, MRN 00482913) was admitted with chest pain.\n"


@pytest.fixture
def note(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(NOTE)
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02")
    return tmp_path


def test_json_output_follows_the_published_schema(note):
    out = auditor_cli("scan", str(note), "--format", "json")
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    schema = json.loads(resources.files("auditor").joinpath("data/scan-result.schema.json").read_text())
    jsonschema.validate(document, schema)
    assert document["schema_version"] == "1.1"
    assert document["summary"]["by_category"]["PHI"] == len(document["findings"]) >= 3
    assert document["skipped"] == [{"path": str(note / "blob.bin"), "reason": "binary file (NUL bytes)", "line": None}]


def test_table_output_summarises_per_file_and_category(note):
    out = auditor_cli("scan", str(note), "--format", "table")
    assert out.returncode == 0, out.stderr
    row = next(line for line in out.stdout.splitlines() if line.startswith(str(note / "note.txt")))
    assert row.split()[1:] == ["3"]  # three PHI findings, nothing in other categories
    assert "1 skipped:" in out.stdout and "binary file" in out.stdout


def test_out_writes_the_file_and_reports_on_stderr(note, tmp_path):
    target = tmp_path / "result.json"
    out = auditor_cli("scan", str(note / "note.txt"), "--out", str(target))
    assert out.returncode == 0 and out.stdout == ""
    assert "wrote" in out.stderr and json.loads(target.read_text())["summary"]["findings"] == 3


def test_min_confidence_filters_findings(note):
    everything = json.loads(auditor_cli("scan", str(note), "--format", "json").stdout)
    strict = json.loads(auditor_cli("scan", str(note), "--format", "json", "--min-confidence", "0.99").stdout)
    assert len(strict["findings"]) < len(everything["findings"])
    assert all(f["confidence"] >= 0.99 for f in strict["findings"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "/no/such/path"], "no such file or directory: /no/such/path"),
        (["scan", ".", "--min-confidence", "7"], "Invalid value for '--min-confidence'"),
        (["scan", ".", "--format", "xml"], "Invalid value for '--format'"),
        (["scan"], "Missing argument 'PATHS...'"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_usage_errors_exit_2_with_one_line_and_no_traceback(args, message):
    out = auditor_cli(*args)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and message in out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_a_model_that_is_not_installed_is_a_configuration_error_not_a_download(note):
    out = auditor_cli("scan", str(note), "--model", "en_core_web_trf_not_here")
    assert out.returncode == 2
    assert out.stderr.startswith("auditor: error: spaCy pipeline 'en_core_web_trf_not_here' is not installed")


def test_version_and_help_start_without_loading_nlp():
    out = auditor_cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("auditor, version")
    out = auditor_cli("scan", "--help")
    assert out.returncode == 0 and "--min-confidence" in out.stdout


def test_interrupt_exits_130_with_one_line(tmp_path):
    import signal
    import subprocess
    import time

    for i in range(400):
        (tmp_path / f"note_{i:03d}.txt").write_text(NOTE * 60)
    exe = Path(sys.executable).parent / "auditor"
    proc = subprocess.Popen(
        [str(exe), "scan", str(tmp_path), "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(6)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    # click ends the ^C line first; then one line says what happened.
    assert stderr.lstrip("\n") == "auditor: error: interrupted\n" and stdout == ""


def test_an_interrupt_lost_in_a_callback_still_stops_the_scan(tmp_path, detector):
    """Python drops a KeyboardInterrupt raised inside a weakref or gc callback ("Exception
    ignored"); the CLI remembers the signal and the scan stops at its next file or batch."""
    import signal

    from auditor import interrupts
    from auditor.pipeline import run_scan

    (tmp_path / "note.txt").write_text(NOTE)
    with interrupts.remembered():
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            pass  # what such a callback does with it
        with pytest.raises(KeyboardInterrupt):
            run_scan([str(tmp_path)], detector=detector)
    assert run_scan([str(tmp_path)], detector=detector).findings  # nothing is remembered outside


def test_jobs_gives_the_same_result_as_one_process(detector):
    from dataclasses import replace

    from support.cli import EXAMPLES

    from auditor.config import ScanConfig
    from auditor.pipeline import run_scan

    one = run_scan([str(EXAMPLES)], ScanConfig(), detector=detector)
    two = run_scan([str(EXAMPLES)], ScanConfig(jobs=2))
    assert two.findings == one.findings and len(one.findings) > 50
    assert [f.identity for f in two.flows] == [f.identity for f in one.flows]
    assert replace(two, started_at="", finished_at="") == replace(one, started_at="", finished_at="")
