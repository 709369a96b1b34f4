"""Hostile input (issue 19): each case and its expected outcome.

No raw value reaches a location or any output; no single file aborts a scan; every
configuration mistake is exit 2 with one line.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import string
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from support.cli import auditor_cli

import auditor
from auditor.reports.json import render_json
from auditor.reports.table import render_table
from auditor.sources.jsonlog import safe_url

RAW_VALUES = (
    "536-22-8147",
    "219-48-3362",
    "zelda.quixote@example.org",
    "bart.f@example.net",
    "Zelda Quixote",
    "Bart Fennimore",
)
HEADERLESS_CSV = "Zelda Quixote,536-22-8147,zelda.quixote@example.org\nBart Fennimore,219-48-3362,bart.f@example.net\n"
PATIENT_NOTE = "Patient record for MRN 00482913, SSN 536-22-8147, seen for diabetes follow-up."


def _leaks(text: str) -> list[str]:
    return [value for value in RAW_VALUES if value in text]


def _pointers(result) -> set[str | None]:
    return {f.location.pointer for f in result.findings}


# --- 1. locations never carry values ------------------------------------------------------


def test_headerless_csv_first_row_is_data_and_columns_are_numbers(tmp_path):
    (tmp_path / "h.csv").write_text(HEADERLESS_CSV)
    result = auditor.scan([str(tmp_path / "h.csv")])
    ssn_rows = sorted(f.location.record for f in result.findings if f.entity == "US_SSN")
    assert ssn_rows == [0, 1]  # the first row is scanned, not taken for a header
    assert _pointers(result) <= {"/1", "/2", "/3"}
    assert not _leaks(render_json(result)) and not _leaks(render_table(result, verbose=True))


def test_csv_with_a_real_header_keeps_its_column_names(tmp_path):
    (tmp_path / "p.csv").write_text("patient_name,ssn,email\n" + HEADERLESS_CSV)
    result = auditor.scan([str(tmp_path / "p.csv")])
    assert "/ssn" in _pointers(result)
    assert sorted(f.location.record for f in result.findings if f.entity == "US_SSN") == [0, 1]


def test_json_keys_holding_values_are_shown_by_position(tmp_path):
    doc = {"prompt_by_user": {"zelda.quixote@example.org": PATIENT_NOTE, "Zelda Quixote": PATIENT_NOTE}}
    (tmp_path / "k.json").write_text(json.dumps(doc))
    result = auditor.scan([str(tmp_path / "k.json")])
    assert result.findings
    assert _pointers(result) == {"/prompt_by_user/#0", "/prompt_by_user/#1"}
    assert not _leaks(render_json(result))


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (
            "https://user:s3cret@api.openai.com/v1/chat?api_key=sk-123&patient=536-22-8147#x",
            "https://api.openai.com/v1/chat",
        ),
        ("http://10.0.0.5:8000/v1?q=1", "http://10.0.0.5:8000/v1"),
        ("api.openai.com/v1?email=bart.f@example.net", "api.openai.com/v1"),
    ],
)
def test_record_urls_keep_scheme_host_and_path_only(url, kept):
    assert safe_url(url) == kept


def test_cli_headerless_csv_leaks_nothing_to_json_table_or_sqlite(tmp_path):
    (tmp_path / "h.csv").write_text(HEADERLESS_CSV)
    db = tmp_path / "f.db"
    json_run = auditor_cli("scan", "h.csv", "--db", f"sqlite:///{db}", "--format", "json", cwd=tmp_path)
    assert json_run.returncode in (0, 1), json_run.stderr
    assert '"pointer": "/2"' in json_run.stdout
    table_run = auditor_cli("findings", "list", "--db", f"sqlite:///{db}", cwd=tmp_path)
    assert table_run.returncode == 0, table_run.stderr
    for output in (json_run.stdout, json_run.stderr, table_run.stdout):
        assert not _leaks(output)
    stored = db.read_bytes()
    assert not [v for v in RAW_VALUES if v.encode() in stored]
    with sqlite3.connect(db) as conn:  # the WAL, if any, is checkpointed into the file
        conn.execute("select 1")
    assert not [v for v in RAW_VALUES if v.encode() in db.read_bytes()]


# --- 2. no single file aborts a scan ---------------------------------------------------------


HOSTILE_FILES: dict[str, bytes] = {
    "deep.json": b"[" * 1000 + b"]" * 1000,
    "deep_object.json": b'{"a":' * 1000 + b"1" + b"}" * 1000,
    "deep.jsonl": b"[" * 5000 + b"]" * 5000 + b"\n",
    "big_int.json": b'{"n": ' + b"9" * 5000 + b', "prompt": "hello there"}',
    "surrogate_value.json": b'{"prompt": "MRN 00482913 \\ud800 for Zelda"}',
    "surrogate_key.json": b'{"\\udc00": "SSN 536-22-8147"}',
    "surrogate.jsonl": b'{"prompt": "\\ud800 SSN 536-22-8147"}\n',
    "nan.json": b'{"n": NaN, "m": -Infinity}',
    "bad.csv": b'a,b\n"unterminated,1\n',
    "bad.py": b"def f(:\n  x = 'SSN 536-22-8147'\n",
    "deep.py": b"x = " + b"(" * 400 + b"1" + b")" * 400 + b"\n",
    "null.py": b"x = 1\x00\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_a_hostile_file_is_skipped_or_scanned_and_the_scan_goes_on(tmp_path, name):
    (tmp_path / name).write_bytes(HOSTILE_FILES[name])
    (tmp_path / "good.txt").write_text(PATIENT_NOTE)
    result = auditor.scan([str(tmp_path)])
    assert any(f.location.path.endswith("good.txt") for f in result.findings)
    render_json(result).encode("utf-8")  # everything in the result can be written out
    render_table(result, verbose=True).encode("utf-8")


def test_a_file_name_that_is_not_utf8_is_scanned_and_shown_escaped(tmp_path):
    name = os.fsencode(tmp_path) + b"/note-\xff\n.txt"
    with open(name, "wb") as handle:
        handle.write(PATIENT_NOTE.encode())
    result = auditor.scan([str(tmp_path)])
    paths = {f.location.path for f in result.findings}
    assert paths == {str(tmp_path / "note-\\xff\\n.txt")}
    render_json(result).encode("utf-8")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-le"])
def test_utf16_and_utf32_text_with_a_bom_is_scanned(tmp_path, encoding):
    bom = {"utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00"}.get(encoding, b"")
    (tmp_path / "note.txt").write_bytes(bom + PATIENT_NOTE.encode(encoding))
    result = auditor.scan([str(tmp_path)])
    assert not result.skipped
    assert "US_SSN" in {f.entity for f in result.findings}


def test_check_goes_on_past_a_hostile_file(tmp_path):
    (tmp_path / "deep.json").write_bytes(HOSTILE_FILES["deep.json"])
    (tmp_path / "big.json").write_bytes(HOSTILE_FILES["big_int.json"])
    run = auditor_cli("check", "deep.json", "big.json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr


# --- 3. safe YAML ---------------------------------------------------------------------------


ALIAS_BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
)


def test_a_yaml_alias_bomb_in_a_rules_directory_is_refused_fast(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bomb.yaml").write_text(ALIAS_BOMB)
    (tmp_path / "n.txt").write_text("nothing here\n")
    started = time.monotonic()
    run = auditor_cli("scan", "n.txt", "--no-store", "--rules", "rules", cwd=tmp_path)
    assert run.returncode == 2 and "aliases expand past" in run.stderr
    assert run.stderr.count("\n") == 1
    assert time.monotonic() - started < 10  # the process, start-up included; the refusal itself is ms


def test_load_yaml_refuses_the_bomb_in_well_under_a_second(tmp_path):
    from auditor.catalog.schema import PolicyFileError, load_yaml

    (tmp_path / "bomb.yaml").write_text(ALIAS_BOMB)
    started = time.monotonic()
    with pytest.raises(PolicyFileError, match="aliases expand past"):
        load_yaml(tmp_path / "bomb.yaml")
    assert time.monotonic() - started < 1


def test_a_few_honest_aliases_still_load(tmp_path):
    from auditor.catalog.schema import load_yaml

    (tmp_path / "ok.yaml").write_text("base: &b {x: 1}\none: *b\ntwo: *b\n")
    assert load_yaml(tmp_path / "ok.yaml") == {"base": {"x": 1}, "one": {"x": 1}, "two": {"x": 1}}


# --- 4 and 5. configuration fails closed, exit 2 with one line --------------------------------


WAIVER = (
    "waivers:\n  - id: W1\n    rule: HIPAA-BAA-001\n    justification: t\n    approver: a\n"
    '    path: "*"\n    expires: {}\n'
)


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        ({"pyproject.toml": '[tool.auditor]\nframeworks = ["hippa"]\n'}, [], "did you mean 'hipaa'?"),
        ({"pyproject.toml": '[tool.auditor]\nfail_onn = "unmet"\n'}, [], "did you mean 'fail_on'?"),
        ({"pyproject.toml": '[tool]\nauditor = "x"\n'}, [], "must be a table"),
        ({"pyproject.toml": b'[tool.auditor]\nfail_on = "\xff"\n'}, [], "not UTF-8"),
        ({"auditor-waivers.yaml": WAIVER.format("2026-02-30")}, [], "auditor-waivers.yaml: not valid YAML"),
        ({"auditor-waivers.yaml": WAIVER.format("31/12/2026")}, [], "is not a date"),
        ({"auditor.toml": 'waivers_file = "missing.yaml"\n'}, [], "waivers file does not exist"),
        ({"notdb.db": b"this is not sqlite" * 100}, ["--db", "notdb.db"], "file is not a database"),
        ({}, ["--db", "postgresql+asyncpg://u@localhost/x"], "unsupported database driver"),
        ({}, ["--db", "sqlite:///:memory:"], "keeps nothing"),
        ({}, ["--out", "missing/out.json"], "folder missing does not exist"),
    ],
)
def test_configuration_mistakes_are_exit_2_with_one_line(tmp_path, files, args, message):
    (tmp_path / ".git").mkdir()
    (tmp_path / "n.txt").write_text(PATIENT_NOTE)
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    run = auditor_cli("scan", "n.txt", *(args or ["--no-store"]), cwd=tmp_path, env={"AUDITOR_DATABASE_URL": ""})
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and message in run.stderr
    assert not (tmp_path / ".auditor").exists()  # refused before anything was stored


def test_database_url_in_the_site_file_is_honoured(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.auditor]\ndatabase_url = "team/findings.db"\n')
    (tmp_path / "team").mkdir()
    (tmp_path / "n.txt").write_text("nothing here\n")
    run = auditor_cli("scan", "n.txt", "--format", "json", cwd=tmp_path, env={"AUDITOR_DATABASE_URL": ""})
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "team" / "findings.db").is_file() and not (tmp_path / ".auditor").exists()


def test_db_upgrade_refuses_another_applications_database(tmp_path):
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table users (id integer)")
    run = auditor_cli("db", "upgrade", "--db", str(other))
    assert run.returncode == 2 and "another application's tables" in run.stderr


def test_a_failed_scan_never_truncates_an_existing_out_file(tmp_path):
    (tmp_path / ".git").mkdir()
    out = tmp_path / "result.json"
    out.write_text("previous result\n")
    (tmp_path / "pyproject.toml").write_text('[tool.auditor]\nframeworks = ["hippa"]\n')
    (tmp_path / "n.txt").write_text(PATIENT_NOTE)
    run = auditor_cli("scan", "n.txt", "--no-store", "--out", str(out), cwd=tmp_path)
    assert run.returncode == 2
    assert out.read_text() == "previous result\n"


def test_write_atomically_leaves_the_old_file_whole_when_interrupted(tmp_path, monkeypatch):
    from auditor import outputs

    out = tmp_path / "result.json"
    out.write_text("previous result\n")

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        outputs.write_atomically(out, "new result")
    assert out.read_text() == "previous result\n"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_rules_validate_refuses_a_pack_that_reuses_a_shipped_rule_id(tmp_path):
    from auditor.resources import resource_dir

    shipped = (resource_dir("rules") / "hipaa.yaml").read_text(encoding="utf-8")
    (tmp_path / "copy.yaml").write_text(shipped.replace("\nid: hipaa\n", "\nid: copied\n"), encoding="utf-8")
    run = auditor_cli("rules", "validate", str(tmp_path))
    assert run.returncode == 2 and "already defined in" in run.stderr


def test_database_url_of_a_config_named_on_the_command_line_is_honoured(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "auditor.toml").write_text('database_url = "team.db"\n')
    (tmp_path / "n.txt").write_text("nothing here\n")
    run = auditor_cli("scan", "n.txt", "--config", "conf/auditor.toml", cwd=tmp_path, env={"AUDITOR_DATABASE_URL": ""})
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "conf" / "team.db").is_file()


def _new_words(rng: random.Random, count: int, length: int) -> str:
    """``count`` random lower-case words of ``length`` letters: words spaCy never saw."""
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(length)) for _ in range(count))


def test_new_words_do_not_stay_in_the_pipelines_memory(detector):
    """A guard or a Spark executor reads millions of records, each with words spaCy never saw
    (IDs, hashes, addresses): none of them may stay in the vocabulary after its call, or the
    process grows without bound. The spans are the same on a second call."""
    rng = random.Random(7)
    text = "Patient Zelda Quixote, MRN 00417723, seen 3/14/2021. " + _new_words(rng, 300, 9)
    first = detector.detect(text)
    strings = detector.analyzer.nlp_engine.nlp["en"].vocab.strings
    before = len(strings)
    texts = [_new_words(rng, 300, 9) + f" ref {_new_words(rng, 1, 9)}@{_new_words(rng, 1, 9)}.org" for _ in range(20)]
    for fresh in texts[:10]:
        detector.detect(fresh)
    detector.detect_many(texts[10:])
    assert len(strings) == before
    assert detector.detect(text) == first
    assert {s.entity for s in first} >= {"PERSON", "MEDICAL_RECORD_NUMBER"}


def test_threads_sharing_the_pipeline_get_the_spans_each_would_alone(detector):
    """Guards in a threaded server share one spaCy pipeline: calls take turns (a memory zone
    closed by one thread must not drop the words of another's text)."""
    rng = random.Random(11)
    texts = [
        f"Patient Zelda Quixote seen {n + 1}/14/2021, SSN 536-22-{8100 + n}. " + _new_words(rng, 150, 8)
        for n in range(12)
    ]
    alone = [detector.detect(text) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(detector.detect, texts))
    assert together == alone
