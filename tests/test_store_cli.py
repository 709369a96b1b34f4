"""The findings database from the command line: scan, query, diff, prune, and clear errors."""

from __future__ import annotations

import csv
import io
import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.cli import EXAMPLES, auditor_cli
from support.leaks import leaks
from support.store import PHI, finding, flow, scan_result

from auditor.cli import _run
from auditor.cli import cli as auditor_group
from auditor.model import FlowKind
from auditor.store import open_database, record_scan
from auditor.store.journal import RuntimeJournal
from auditor.store.schema import SCHEMA_REVISION

NO_ENV_DB = {"AUDITOR_DATABASE_URL": ""}


@pytest.fixture(autouse=True)
def no_database_in_the_environment(monkeypatch):
    monkeypatch.delenv("AUDITOR_DATABASE_URL", raising=False)


@pytest.fixture
def cli(capsys):
    """``cli(*args)`` runs the command in this process (the same code as the console script,
    without its start-up time) and returns (exit code, stdout, stderr)."""

    def run(*args: str):
        code = _run(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def stored(tmp_path):
    """A SQLite database holding two scans of a small project (the second fixed the MRN)."""
    root = tmp_path / "project"
    (root / "logs").mkdir(parents=True)
    (root / "notes").mkdir()
    db = tmp_path / "findings.db"
    engine = open_database(str(db), write=True)
    for result in (scan_result(str(root)), scan_result(str(root), drop_mrn=True)):
        with record_scan(engine, [str(root)]) as recording:
            recording.complete(result)
    engine.dispose()
    return str(db)


@pytest.fixture
def run_json(cli):
    def run(*args: str):
        code, out, err = cli(*args, "--format", "json")
        assert code == 0, err
        return json.loads(out)

    return run


def test_scans_list_shows_both_scans_newest_first(stored, run_json, cli):
    scans = run_json("scans", "list", "--db", stored)
    assert [s["id"] for s in scans] == [2, 1] and {s["status"] for s in scans} == {"complete"}


def test_findings_list_takes_every_filter(stored, run_json, cli):
    base = ("findings", "list", "--db", stored)
    assert len(run_json(*base)) == 2
    assert len(run_json(*base, "--scan", "1")) == 3
    assert [f["category"] for f in run_json(*base, "--category", "PII")] == ["PII"]
    assert [f["entity"] for f in run_json(*base, "--framework", "ITAR", "--verdict", "local_only")] == ["ECCN"]
    assert run_json(*base, "--destination", "openai") == []
    assert [f["path"] for f in run_json(*base, "--path", "notes/*")] == ["notes/visit.txt"]
    assert len(run_json(*base, "--since", "1d")) == 2  # both scans ran today: all first seen since
    assert run_json(*base, "--since", "2100-01-01") == []  # seen in scans before then: nothing new
    assert [f["entity"] for f in run_json(*base, "--scan", "1", "--new-since", "2")] == ["MEDICAL_RECORD_NUMBER"]


def test_flows_list_as_csv_and_flows_show_with_the_trail(stored, cli):
    _, out, _ = cli("flows", "list", "--db", stored, "--scan", "1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["destination"]: r["verdict"] for r in rows} == {"openai": "conditional", "anthropic": "local_only"}
    flow_id = next(r["id"] for r in rows if r["destination"] == "anthropic")
    code, shown, err = cli("flows", "show", flow_id, "--db", stored, "--format", "table")
    assert code == 0, err
    assert "ITAR-EXPORT-001 [itar@1.0.0, ITAR] local_only waived by W-7" in shown
    assert "cites: 22 CFR 120.50" in shown and "approved by j.doe" in shown


def test_findings_show_lists_the_flows_that_carry_it(stored, run_json, cli):
    [mrn] = run_json("findings", "list", "--db", stored, "--scan", "1", "--category", "PHI")
    shown = run_json("findings", "show", str(mrn["id"]), "--db", stored)
    assert shown["excerpt"] == mrn["excerpt"] and shown["flows"][0]["trail"][0]["rule_id"] == "HIPAA-BAA-001"


def test_a_runtime_flow_with_a_cost_is_shown_as_json_with_the_cost_as_a_string(tmp_path):
    """The guard stores cost as a Decimal (exact money); JSON has no decimal type, so the
    command prints it as a string, to the digit stored, rather than failing."""
    db = tmp_path / "findings.db"
    journal = RuntimeJournal(open_database(str(db), write=True), "guard")
    mrn = finding("<runtime>", 1, "a1", record=1, pointer="/texts/0")
    journal.record(
        flow((mrn,), "openai", PHI, kind=FlowKind.RUNTIME),
        {"model": "gpt-4o", "input_tokens": 120, "output_tokens": 7, "tokens_estimated": False,
         "cost": Decimal("0.00037"), "currency": "USD", "price_id": "openai/gpt-4o", "action": "send"},
    )  # fmt: skip
    journal.flush()
    journal.close()
    runner = CliRunner()
    shown = runner.invoke(auditor_group, ["flows", "show", "1", "--db", str(db), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    flow_json = json.loads(shown.output)
    assert flow_json["kind"] == "runtime" and flow_json["action"] == "send"
    assert flow_json["cost"] == "0.00037000" and flow_json["currency"] == "USD"  # Numeric(18, 8)
    assert Decimal(flow_json["cost"]) == Decimal("0.00037")
    carried = runner.invoke(auditor_group, ["findings", "show", "1", "--db", str(db), "--format", "json"])
    assert carried.exit_code == 0, carried.output
    assert json.loads(carried.output)["flows"][0]["cost"] == "0.00037000"


def test_diff_between_two_scans(stored, run_json, cli):
    diff = run_json("diff", "1", "2", "--db", stored)
    assert [f["entity"] for f in diff["findings"]["fixed"]] == ["MEDICAL_RECORD_NUMBER"]
    _, table, _ = cli("diff", "--db", stored, "--format", "table")  # previous -> latest
    assert "findings: 0 new, 1 fixed, 2 unchanged" in table and "flows: 0 new, 1 fixed, 1 unchanged" in table


def test_prune_keeps_six_years_unless_forced(stored, run_json, cli):
    code, _, err = cli("scans", "prune", "--db", stored, "--older-than", "1y")
    assert code == 2 and "45 CFR 164.316(b)(2)" in err
    code, out, _ = cli("scans", "prune", "--db", stored, "--older-than", "7y")
    assert code == 0 and out.startswith("deleted 0 scan(s)")
    code, out, _ = cli("scans", "prune", "--db", stored, "--older-than", "0d", "--force")
    assert code == 0 and out.startswith("deleted 2 scan(s)")
    assert run_json("scans", "list", "--db", stored) == []
    with sqlite3.connect(stored) as conn:  # cascaded
        assert conn.execute("select count(*) from findings").fetchone() == (0,)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+psycopg://auditor:s3cr3t-pw@127.0.0.1:1/findings", "cannot connect to database"),
        ("oracle://auditor:s3cr3t-pw@db.example/findings", "unsupported database"),
        ("postgresql://auditor:s3cr3t-pw@db.example:port/findings", "invalid database URL"),
    ],
)
def test_a_bad_url_is_one_line_exit_2_and_never_the_password(url, expected, tmp_path, cli):
    for args in (("findings", "list", "--db", url), ("scan", str(tmp_path), "--db", url)):
        code, out, err = cli(*args)
        assert code == 2, err
        assert expected in err and len(err.strip().splitlines()) == 1
        assert "s3cr3t-pw" not in err + out


def test_the_console_script_keeps_the_password_out_too():
    out = auditor_cli("flows", "list", "--db", "postgresql://u:s3cr3t-pw@127.0.0.1:1/x", env=NO_ENV_DB)
    assert out.returncode == 2 and out.stderr.startswith("auditor: error: cannot connect to database postgresql")
    assert "s3cr3t-pw" not in out.stderr and "***" in out.stderr


def test_the_url_can_come_from_the_environment(stored, monkeypatch, run_json):
    monkeypatch.setenv("AUDITOR_DATABASE_URL", f"sqlite:///{stored}")
    assert len(run_json("scans", "list")) == 2


def test_a_missing_sqlite_file_is_not_created_by_a_query(tmp_path, cli):
    code, _, err = cli("findings", "list", "--db", str(tmp_path / "nope.db"))
    assert code == 2 and "run `auditor scan` first" in err
    assert not (tmp_path / "nope.db").exists()


def test_an_empty_database_says_to_run_db_upgrade_and_db_upgrade_fixes_it(tmp_path, cli):
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    code, _, err = cli("scans", "list", "--db", str(db))
    assert (
        code == 2
        and err
        == "auditor: error: database sqlite:///" + str(db) + " has no auditor schema: run `auditor db upgrade`\n"
    )
    code, out, _ = cli("db", "upgrade", "--db", str(db))
    assert code == 0 and f"upgraded from empty to {SCHEMA_REVISION}" in out
    assert cli("scans", "list", "--db", str(db), "--format", "json") == (0, "[]\n", "")


@pytest.fixture(scope="module")
def examples_scanned(tmp_path_factory):
    """`auditor scan` of a copy of examples/ into its default database, twice, an example edited between."""
    root = tmp_path_factory.mktemp("repo") / "examples"
    shutil.copytree(EXAMPLES, root)
    env = {**NO_ENV_DB, "AUDITOR_FINGERPRINT_KEY": "store-test"}
    first = auditor_cli("scan", str(root), "--format", "json", "--exit-zero", env=env)
    note = root / "notes" / "clinical_note.txt"
    note.write_text(note.read_text(encoding="utf-8").replace("00562198", "00777431"), encoding="utf-8")
    second = auditor_cli("scan", str(root), "--format", "json", "--exit-zero", env=env)
    return root, first, second


def test_scan_of_the_examples_stores_a_complete_scan_in_the_default_database(examples_scanned):
    root, first, second = examples_scanned
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert (root / ".auditor" / "findings.db").is_file() and "stored as scan 1" in first.stderr
    out = auditor_cli("findings", "list", "--scan", "1", "--format", "json", cwd=root, env=NO_ENV_DB)  # from cwd
    stored = json.loads(out.stdout)
    assert len(stored) == len(json.loads(first.stdout)["findings"]) > 30
    scans = json.loads(auditor_cli("scans", "list", "--format", "json", cwd=root, env=NO_ENV_DB).stdout)
    assert [s["status"] for s in scans] == ["complete", "complete"] and scans[0]["target"] == "."


def test_diff_shows_the_edited_example(examples_scanned):
    root, _, _ = examples_scanned
    out = auditor_cli("diff", "1", "2", "--format", "json", cwd=root, env=NO_ENV_DB)
    diff = json.loads(out.stdout)
    new, fixed = diff["findings"]["new"], diff["findings"]["fixed"]
    assert {f["path"] for f in new} == {"notes/clinical_note.txt"} and len(new) == len(fixed) >= 1
    assert len(diff["findings"]["unchanged"]) > 30


def test_no_raw_identifier_is_in_the_database_file(examples_scanned):
    root, _, _ = examples_scanned
    for path in (root / ".auditor").iterdir():
        assert leaks(path.read_bytes().decode("utf-8", errors="replace")) == [], path


def test_an_interrupted_scan_ends_interrupted(tmp_path):
    (tmp_path / "note.txt").write_text("Patient Maria Okafor, MRN 00482913.\n")
    db = tmp_path / "findings.db"
    exe = shutil.which("auditor", path=str(Path(sys.executable).parent))
    proc = subprocess.Popen(
        [exe, "scan", str(tmp_path), "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline and status is None:
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    status = conn.execute("select status from scans").fetchone()
            except sqlite3.OperationalError:  # schema still being created
                pass
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select status, error from scans").fetchall() == [("interrupted", "KeyboardInterrupt")]
