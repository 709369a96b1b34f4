"""Walking and reading: what is scanned, what is skipped and why, and where findings sit."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import pytest

import auditor
from auditor.config import ScanConfig
from auditor.sources import iter_files, read_source
from auditor.sources.base import TextUnit
from auditor.sources.files import FileToScan
from auditor.sources.textfile import read_text

PATIENT_LINE = "Patient Maria Okafor, MRN 00482913, was admitted on 03/02/2026 for chest pain.\n"


def scanned_and_skipped(root: Path, **config):
    entries = list(
        iter_files(
            [str(root)], config.get("exclude", ()), config.get("gitignore", True), config.get("max_bytes", 10**6)
        )
    )
    scanned = sorted(Path(e.display).relative_to(root).as_posix() for e in entries if isinstance(e, FileToScan))
    skipped = {Path(e.path).relative_to(root).as_posix(): e.reason for e in entries if not isinstance(e, FileToScan)}
    return scanned, skipped


def test_gitignore_and_exclude_globs_are_honoured(tmp_path):
    (tmp_path / ".gitignore").write_text("*.log\nbuild/\n!keep.log\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("secret.txt\n")
    for name in ("a.txt", "debug.log", "keep.log", "build/out.txt", "sub/secret.txt", "sub/b.md", "vendor/x.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("hello\n")
    scanned, _ = scanned_and_skipped(tmp_path, exclude=("vendor/",))
    assert scanned == [".gitignore", "a.txt", "keep.log", "sub/.gitignore", "sub/b.md"]
    scanned_all, _ = scanned_and_skipped(tmp_path, gitignore=False)
    assert "debug.log" in scanned_all and "sub/secret.txt" in scanned_all


def test_binary_undecodable_and_oversized_files_are_skipped_with_reasons(tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "huge.txt").write_text("x" * 5000)
    (tmp_path / "fine.txt").write_text("fine\n")
    scanned, skipped = scanned_and_skipped(tmp_path, max_bytes=4096)
    assert scanned == ["fine.txt"]
    assert skipped["image.png"].startswith("binary file")
    assert skipped["latin1.txt"] == "not UTF-8 text: undecodable byte at offset 3"
    assert skipped["huge.txt"].startswith("larger than the size limit")


def test_symlink_loops_are_skipped_not_followed_forever(tmp_path):
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "note.txt").write_text("hello\n")
    os.symlink(tmp_path / "dir", tmp_path / "dir" / "back")  # directory loop
    os.symlink(tmp_path / "self", tmp_path / "self")  # a link to itself
    scanned, skipped = scanned_and_skipped(tmp_path)
    assert scanned == ["dir/note.txt"]
    assert skipped["dir/back"] == "symlink loop: directory already visited"
    assert skipped["self"] == "symlink loop"


def test_unreadable_file_is_skipped_and_the_scan_goes_on(detector):
    detector.detect("warm the engine up before dropping privileges")
    root = Path(tempfile.mkdtemp(prefix="auditor-perm-"))
    try:
        root.chmod(0o755)
        locked = root / "locked.txt"
        locked.write_text(PATIENT_LINE)
        (root / "open.txt").write_text(PATIENT_LINE)
        locked.chmod(0o000)
        result = _scan_as_unprivileged_user(root) if os.geteuid() == 0 else auditor.scan([str(root)])
    finally:
        shutil.rmtree(root)
    assert [(s.path, s.reason) for s in result.skipped] == [(str(locked), "permission denied")]
    assert {f.location.path for f in result.findings} == {str(root / "open.txt")}


def _scan_as_unprivileged_user(root: Path):
    """Root reads everything: scan in a forked child that dropped to 'nobody'.

    The child cannot read root's Python installation (nor, in a private checkout, auditor's
    own rules), so what it lazily imports or reads is loaded here first.
    """
    import encodings.utf_8_sig  # noqa: F401

    from auditor.config import ScanConfig
    from auditor.pipeline import policy_for_scan, run_scan

    policy = policy_for_scan([str(root)], ScanConfig())
    run_scan([str(root)], ScanConfig(), policy=policy)  # as root: every lazy import and read, once

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        status = 0
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            result = run_scan([str(root)], ScanConfig(), policy=policy)
            os.write(write_end, pickle.dumps(result))
        except BaseException:
            import traceback

            traceback.print_exc()
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert status == 0 and data, "the unprivileged scan failed"
    return pickle.loads(data)


def test_malformed_jsonl_line_is_skipped_and_its_neighbours_kept(tmp_path):
    log = tmp_path / "requests.jsonl"
    good = {"model": "gpt-4o", "messages": [{"role": "user", "content": PATIENT_LINE}]}
    log.write_text(
        json.dumps(good) + "\n" + '{"model": "gpt-4o", "messages": [{"role": "us\n' + json.dumps(good) + "\n"
    )
    result = auditor.scan([str(log)])
    assert [(s.line, s.reason.split(":")[0]) for s in result.skipped] == [(2, "malformed JSON")]
    records = {f.location.record for f in result.findings if f.entity == "MEDICAL_RECORD_NUMBER"}
    assert records == {0, 2}
    assert [(r.record, r.model) for r in result.records] == [(0, "gpt-4o"), (2, "gpt-4o")]


def test_jsonl_findings_carry_record_pointer_and_exact_line_and_column(tmp_path):
    log = tmp_path / "requests.jsonl"
    records = [
        {
            "provider": "openai",
            "url": "https://api.openai.com/v1/chat/completions",
            "model": "gpt-4o",
            "messages": [
                {"role": "system", "content": "You are a careful clinical scribe."},
                {"role": "user", "content": 'Summarise: "café" note.\n' + PATIENT_LINE},
            ],
        },
        {
            "provider": "anthropic",
            "model": "claude-sonnet-4",
            "system": "Clinical assistant.",
            "messages": [{"role": "user", "content": [{"type": "text", "text": PATIENT_LINE}]}],
        },
        {"model": "llama3.1:8b", "prompt": PATIENT_LINE, "completion": "ok"},
    ]
    raw_lines = [json.dumps(r, ensure_ascii=False) for r in records]
    log.write_text("\n".join(raw_lines) + "\n", encoding="utf-8")
    result = auditor.scan([str(log)])
    mrns = [f for f in result.findings if f.entity == "MEDICAL_RECORD_NUMBER"]
    assert [(f.location.record, f.location.pointer) for f in mrns] == [
        (0, "/messages/1/content"),
        (1, "/messages/0/content/0/text"),
        (2, "/prompt"),
    ]
    for f in mrns:
        line = raw_lines[f.location.line - 1]
        assert line[f.location.column - 1 :].startswith("00482913"), (f.location, line)
    assert [(r.provider, r.model, r.url) for r in result.records] == [
        ("openai", "gpt-4o", "https://api.openai.com/v1/chat/completions"),
        ("anthropic", "claude-sonnet-4", None),
        (None, "llama3.1:8b", None),
    ]


def test_json_array_of_records_is_located_by_index(tmp_path):
    doc = tmp_path / "export.json"
    doc.write_text(json.dumps([{"input": "hello"}, {"input": PATIENT_LINE}], indent=2))
    result = auditor.scan([str(doc)])
    mrn = next(f for f in result.findings if f.entity == "MEDICAL_RECORD_NUMBER")
    assert (mrn.location.record, mrn.location.pointer) == (1, "/input")
    assert doc.read_text().splitlines()[mrn.location.line - 1][mrn.location.column - 1 :].startswith("00482913")


def test_csv_cells_are_located_by_row_and_column_name(tmp_path):
    table = tmp_path / "patients.csv"
    table.write_text('patient_name,mrn,notes\nAda Lovelace,00917734,stable\n"Okafor, Maria",00482913,"multi\nline"\n')
    result = auditor.scan([str(table)])
    mrns = sorted(
        (f.location.record, f.location.pointer, f.location.line, f.location.column)
        for f in result.findings
        if f.entity == "MEDICAL_RECORD_NUMBER"
    )
    assert mrns == [(0, "/mrn", 2, 14), (1, "/mrn", 3, 17)]


def test_python_source_string_literals_are_scanned_but_comments_are_not(tmp_path):
    module = tmp_path / "app.py"
    module.write_text(
        "# MRN 00111111 in a comment is not a literal\n"
        "FIXTURE = 'Patient Jane Roe, MRN 00917734, DOB 02/03/1971'\n"
        'PROMPT = f"""Summarise the chart\nMRN: 00482913 for {FIXTURE}"""\n'
    )
    result = auditor.scan([str(module)])
    mrns = sorted((f.location.line, f.location.column) for f in result.findings if f.entity == "MEDICAL_RECORD_NUMBER")
    assert mrns == [(2, 34), (4, 6)]


def test_large_text_is_streamed_in_blocks_and_lines_stay_exact(tmp_path):
    big = tmp_path / "big.log"
    filler = "routine heartbeat ok\n"
    lines = [filler] * 5000
    lines[4321] = PATIENT_LINE
    big.write_text("".join(lines))
    units = [e for e in read_text(str(big), str(big), block_chars=8 * 1024) if isinstance(e, TextUnit)]
    assert len(units) > 5 and max(len(u.text) for u in units) < 2 * 8 * 1024 + 100
    result = auditor.scan([str(big)])
    mrn = next(f for f in result.findings if f.entity == "MEDICAL_RECORD_NUMBER")
    assert (mrn.location.line, mrn.location.column) == (4322, 27)


def test_long_text_is_chunked_and_offsets_are_exact(detector):
    filler = "The committee reviewed the quarterly facilities plan and agreed on next steps. "
    values = []
    parts = []
    for i in range(40):
        parts.append(filler * 8)
        mrn = f"00{480000 + i * 7:06d}"
        values.append(mrn)
        parts.append(f"Patient chart MRN {mrn} noted. ")
    text = "".join(parts)
    assert len(text) > 5 * detector.chunk_chars
    spans = [s for s in detector.detect(text) if s.entity == "MEDICAL_RECORD_NUMBER"]
    assert [text[s.start : s.end] for s in spans] == values


def test_a_missing_path_is_a_usage_error():
    with pytest.raises(auditor.errors.UsageError, match="no such file or directory"):
        auditor.scan(["/nonexistent/path"], ScanConfig())


def test_read_source_dispatches_by_format(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("name\tmrn\nAda\t00917734\n")
    events = list(read_source(FileToScan(str(path), str(path), path.stat().st_size, "tsv")))
    assert "mrn: 00917734" in events[0].text


def test_a_logs_records_are_detected_in_batches_with_the_same_findings(tmp_path, monkeypatch):
    from auditor.pipeline import _FileReader

    log = tmp_path / "requests.jsonl"
    lines = [
        {"model": "gpt-4o", "prompt": f"Visit {i}: " + PATIENT_LINE if i % 3 else "Summarise the release notes."}
        for i in range(12)
    ]
    log.write_text("\n".join(json.dumps(line) for line in lines) + "\n")

    def findings(batch_chars: int):
        monkeypatch.setattr(_FileReader, "BATCH_CHARS", batch_chars)
        found = auditor.scan([str(log)]).findings
        return [(f.location.record, f.entity, f.location.line, f.location.column, f.fingerprint) for f in found]

    one_batch, record_by_record, every_few = findings(10**9), findings(1), findings(300)
    assert {r for r, entity, *_ in one_batch if entity == "MEDICAL_RECORD_NUMBER"} == {1, 2, 4, 5, 7, 8, 10, 11}
    assert one_batch == record_by_record == every_few
