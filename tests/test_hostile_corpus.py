"""The hostile corpus (tests/hostile/): every case of issue 19 through the real command line.

Each case is a folder under ``tests/hostile/cases/`` and an entry in ``tests/hostile/cases.yaml``
with its expected outcome. A case runs in a copy of its folder that is a git work tree of its
own (so the default database lies under it); each step's exit code is checked, stderr never
holds a traceback, and no raw value of the manifest is in stdout, stderr or any file left.
Steps run the command line's own entry point (``auditor.cli._run``, which the console script
calls) in this process, so the spaCy model loads once for the whole corpus.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
import yaml
from support.cli import REPO

from auditor.cli import _run

HOSTILE = REPO / "tests" / "hostile"
MANIFEST = yaml.safe_load((HOSTILE / "cases.yaml").read_text(encoding="utf-8"))
RAW_VALUES = tuple(str(v) for v in MANIFEST["raw_values"])
CASES = {case["id"]: case for case in MANIFEST["cases"]}


def test_every_case_folder_is_in_the_manifest_and_back():
    folders = {p.name for p in (HOSTILE / "cases").iterdir() if p.is_dir()}
    assert folders == set(CASES)


def _setup(work: Path, setup: dict) -> None:
    if "bytes_name" in setup:
        spec = setup["bytes_name"]
        name = bytes.fromhex(spec["hex"].replace(" ", ""))
        os.rename(work / spec["from"], os.path.join(os.fsencode(work), name))
    if "newline_name" in setup:
        spec = setup["newline_name"]
        (work / spec["from"]).rename(work / spec["name"])
    if "fifo" in setup:
        os.mkfifo(work / setup["fifo"])
    if "foreign_db" in setup:
        with sqlite3.connect(work / setup["foreign_db"]) as conn:
            conn.execute("create table users (id integer)")
    if "shipped_pack_copy" in setup:
        from auditor.resources import resource_dir

        shipped = (resource_dir("rules") / "hipaa.yaml").read_text(encoding="utf-8")
        target = work / setup["shipped_pack_copy"]
        target.write_text(shipped.replace("\nid: hipaa\n", "\nid: copied\n"), encoding="utf-8")


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _leaks(text: str) -> list[str]:
    return [value for value in RAW_VALUES if value in text]


@pytest.fixture
def cli(capsys, monkeypatch):
    """``cli(cwd, *args)``: (exit code, stdout, stderr) of the command, run in ``cwd``."""
    monkeypatch.setenv("AUDITOR_DATABASE_URL", "")

    def run(cwd: Path, *args: str):
        monkeypatch.chdir(cwd)
        code = _run(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_hostile_case(case_id, tmp_path, cli):
    case = CASES[case_id]
    work = tmp_path / "case"
    shutil.copytree(HOSTILE / "cases" / case_id, work)
    for keep in work.rglob(".keep"):
        keep.unlink()
    (work / ".git").mkdir()  # a project root of its own: the default database lies under it
    _setup(work, case.get("setup") or {})
    for number, step in enumerate(case["steps"], 1):
        where = f"{case_id} step {number}: auditor {' '.join(step['args'])}"
        action = step.get("action")
        if action:
            verb, _, argument = action.partition(" ")
            assert verb == "flip_byte", action
            _flip_a_byte(work / argument)
        started = time.monotonic()
        code, out, err = cli(work, *step["args"])
        took = time.monotonic() - started
        assert code == step["exit"], f"{where}: exit {code}\n{err}"
        assert "Traceback" not in err, where
        assert _leaks(out) == [] and _leaks(err) == [], where
        if step.get("one_line"):
            assert err.count("\n") == 1, f"{where}: {err!r}"
        if "stderr" in step:
            assert step["stderr"] in err, f"{where}: {err!r}"
        if "stdout" in step:
            assert step["stdout"] in out, f"{where}: {out[:2000]!r}"
        if "under_seconds" in step:
            assert took < step["under_seconds"], f"{where}: {took:.1f} s"
        assert not [line for line in out.splitlines() if line.startswith("fake.py")], where
    # Nothing the case left behind holds a raw value: the database, --out files, reports.
    inputs = {p.read_bytes() for p in (HOSTILE / "cases" / case_id).rglob("*") if p.is_file()}
    for path in work.rglob("*"):
        if not path.is_file() or path.is_fifo() or path.suffix == ".pdf":
            continue  # a PDF's streams are compressed: tests/test_no_leak_outputs.py reads its text back
        left = path.read_bytes()
        if left not in inputs:  # the case's own files (some renamed by the set-up) hold values
            assert _leaks(left.decode("utf-8", errors="replace")) == [], f"{case_id}: {path.relative_to(work)!r}"
