"""A scan killed outright is ``abandoned``, not ``running`` for ever; report and diff refuse it.

The scan row records its owner (host, boot id, pid, process start time); a ``running`` scan
whose owner is gone from this host is shown ``abandoned`` (issue 19).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.store import scan_result

from auditor.cli import _run
from auditor.store import open_database, record_scan
from auditor.store.owner import ALIVE, GONE, UNKNOWN, boot_id, effective_status, owner_state, this_process


@pytest.fixture(autouse=True)
def no_database_in_the_environment(monkeypatch):
    monkeypatch.delenv("AUDITOR_DATABASE_URL", raising=False)


@pytest.fixture
def cli(capsys):
    def run(*args: str):
        code = _run(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _dead_pid() -> int:
    """The pid of a process that has ended and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_this_process_is_alive():
    me = this_process()
    assert me.pid == os.getpid() and me.host == socket.gethostname()
    assert owner_state(me.host, me.boot_id, me.pid, me.started) == ALIVE


def test_a_reaped_process_is_gone():
    me = this_process()
    assert owner_state(me.host, me.boot_id, _dead_pid(), None) == GONE


def test_a_reused_pid_is_not_mistaken_for_the_scan():
    """Same pid, another start time: the pid now belongs to another process."""
    me = this_process()
    if me.started is None:
        pytest.skip("no /proc process start times on this platform")
    assert owner_state(me.host, me.boot_id, me.pid, str(int(me.started) + 1)) == GONE


def test_a_scan_from_an_earlier_boot_is_gone():
    me = this_process()
    if boot_id() is None:
        pytest.skip("no boot id on this platform")
    assert owner_state(me.host, "not-this-boot", me.pid, me.started) == GONE


def test_a_scan_on_another_host_is_never_judged_by_its_pid():
    assert owner_state("another-host.example", None, _dead_pid(), None) == UNKNOWN
    assert owner_state(None, None, None, None) == UNKNOWN  # recorded before owners were
    row = {"status": "running", "owner_host": "another-host.example", "owner_pid": _dead_pid()}
    assert effective_status(row) == "running"


def test_only_running_scans_can_be_abandoned():
    me = this_process()
    row = {"status": "complete", **me.as_row(), "owner_pid": _dead_pid()}
    assert effective_status(row) == "complete"
    assert effective_status({**row, "status": "running"}) == "abandoned"


@pytest.fixture
def two_complete_scans(tmp_path):
    root = tmp_path / "project"
    (root / "logs").mkdir(parents=True)
    (root / "notes").mkdir()
    db = tmp_path / "findings.db"
    engine = open_database(str(db), write=True)
    for result in (scan_result(str(root)), scan_result(str(root), drop_mrn=True)):
        with record_scan(engine, [str(root)]) as recording:
            recording.complete(result)
    engine.dispose()
    return db


def _sigkill_a_scan_mid_way(tmp_path: Path, db: Path) -> int:
    """Start a real ``auditor scan`` into ``db``, SIGKILL it once its row is ``running``."""
    big = tmp_path / "big"
    big.mkdir()
    for n in range(40):
        (big / f"note{n}.txt").write_text("Patient Maria Okafor, MRN 00482913, seen for CHF.\n" * 200)
    exe = shutil.which("auditor", path=str(Path(sys.executable).parent))
    proc = subprocess.Popen(
        [exe, "scan", str(big), "--db", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    running = None
    while time.monotonic() < deadline and running is None:
        time.sleep(0.05)
        with sqlite3.connect(db) as conn:
            running = conn.execute("select id from scans where status = 'running'").fetchone()
    assert running is not None, "the scan never started"
    assert proc.poll() is None, "the scan ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return running[0]


def test_a_sigkilled_scan_is_abandoned_and_report_and_diff_refuse_it(tmp_path, two_complete_scans, cli):
    db = two_complete_scans
    killed = _sigkill_a_scan_mid_way(tmp_path, db)
    with sqlite3.connect(db) as conn:  # nothing could mark it: the row itself still says running
        assert conn.execute("select status, owner_pid from scans where id = ?", (killed,)).fetchone()[0] == "running"

    code, out, err = cli("scans", "list", "--db", str(db), "--format", "json")
    assert code == 0, err
    statuses = {row["id"]: row["status"] for row in json.loads(out)}
    assert statuses[killed] == "abandoned"
    assert sorted(s for i, s in statuses.items() if i != killed) == ["complete", "complete"]

    code, out, err = cli("scans", "list", "--db", str(db), "--format", "table")
    assert "abandoned" in out

    pdf = tmp_path / "r.pdf"
    code, out, err = cli("report", "--scan", str(killed), "--db", str(db), "--pdf", str(pdf))
    assert code == 2 and not pdf.exists()
    assert err.count("\n") == 1 and "abandoned" in err and "--allow-incomplete" in err
    assert "Traceback" not in err

    code, out, err = cli("diff", "1", str(killed), "--db", str(db))
    assert code == 2
    assert err.count("\n") == 1 and f"scan {killed} is abandoned" in err

    code, out, err = cli("diff", "1", str(killed), "--db", str(db), "--allow-incomplete", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["scan_b"] == killed

    code, out, err = cli("findings", "list", "--scan", str(killed), "--db", str(db), "--format", "json")
    assert code == 0 and "abandoned" in err and "partial" in err

    # The complete scans are untouched: `latest` still skips the abandoned one.
    code, out, err = cli("diff", "--db", str(db), "--format", "json")
    assert code == 0, err
    assert (json.loads(out)["scan_a"], json.loads(out)["scan_b"]) == (1, 2)


def test_a_live_scan_is_refused_as_still_running(tmp_path, two_complete_scans, cli):
    db = two_complete_scans
    with sqlite3.connect(db) as conn:
        me = this_process().as_row()
        conn.execute(
            "update scans set status = 'running', owner_host = ?, owner_boot_id = ?, owner_pid = ?, "
            "owner_started = ? where id = 2",
            (me["owner_host"], me["owner_boot_id"], me["owner_pid"], me["owner_started"]),
        )
    code, out, err = cli("scans", "list", "--db", str(db), "--format", "json")
    assert {r["id"]: r["status"] for r in json.loads(out)}[2] == "running"
    code, out, err = cli("diff", "1", "2", "--db", str(db))
    assert code == 2 and "still running" in err
