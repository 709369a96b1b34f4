"""No raw value in any output, for documents whose every sensitive value is known (issue 19).

Every output a user can get (scan JSON, the ``-v`` table, SARIF, the SQLite file's bytes,
``findings|flows|scans list`` in every format, the PDF's text and its evidence attachment) is
produced by ``bench/no_leak.py``'s ``every_output`` and searched for each raw value. File
names are data too: a path holding an identifier is masked and tagged (auditor.pathnames).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli import auditor_cli
from support.tools import require_tool

from auditor.pathnames import identifier_spans, mask_path, name_tag
from bench.no_leak import (
    CHANCE_HEX_RUN,
    CHANCE_LONGER_WORD,
    classify_outputs,
    every_output,
    raw_values_in,
    values_in,
    write_documents,
)

KEY = b"test-site-key"
SSN, EMAIL = "536-22-8147", "zelda.quixote@example.org"
NOTE = "Patient Zelda Quixote, MRN 00482913, SSN 536-22-8147, seen for diabetes follow-up.\n"


def test_a_path_component_holding_an_identifier_is_masked_and_tagged():
    masked = mask_path(f"patients/{SSN}_zelda.csv", KEY)
    assert masked == f"patients/***-**-**47_zelda~{name_tag(f'{SSN}_zelda.csv', KEY)}.csv"
    assert mask_path(f"inbox/{EMAIL}.txt", KEY).startswith("inbox/z****.q******@e******.o**~")
    assert mask_path(f"inbox/{EMAIL}.txt", KEY).endswith(".txt")


def test_two_names_that_mask_alike_keep_apart_and_each_is_stable():
    one, two = mask_path("p/536-22-8147.csv", KEY), mask_path("p/219-48-3347.csv", KEY)
    assert one.split("~")[0] == two.split("~")[0] and one != two
    assert mask_path("p/536-22-8147.csv", KEY) == one  # same key, same name: same display
    assert mask_path("p/536-22-8147.csv", b"another site") != one  # the tag needs the key


def test_ordinary_names_dates_and_versions_stay_readable():
    for path in ("a/Report Final.docx", "logs/app-20240131.jsonl", "v1.2.3/notes.md", "src/auditor/cli.py"):
        assert mask_path(path, KEY) == path
    assert identifier_spans("mrn_00482913.txt")  # a labelled record number is an identifier


def _leaks(outputs: dict[str, str], values) -> dict[str, int]:
    return {name: n for name, n in raw_values_in(outputs, values).items() if n}


def test_a_file_named_after_a_patient_leaks_in_no_output(tmp_path):
    require_tool("pdftotext", "poppler-utils")  # the PDF's text is one of the outputs searched
    target = tmp_path / "project"
    (target / "patients").mkdir(parents=True)
    (target / "inbox").mkdir()
    (target / "patients" / f"{SSN}_zelda.csv").write_text("name,note\nZ,diabetes follow-up for MRN 00482913\n")
    (target / "inbox" / f"{EMAIL}.txt").write_text(NOTE)
    record = {"model": "gpt-4o", "messages": [{"role": "user", "content": NOTE.strip()}]}
    (target / "inbox" / f"{EMAIL}.jsonl").write_text(json.dumps(record) + "\n")
    outputs = every_output(target, tmp_path / "out", pdf=True)
    # The command line too, as a user runs it, with the file named on it.
    named = str(target / "patients" / f"{SSN}_zelda.csv")
    for args in (
        ["scan", str(target), "--no-store", "--format", "json"],
        ["scan", str(target), "--no-store", "--format", "table", "-v"],
        ["scan", named, "--no-store", "--format", "json"],
        ["check", named, str(target / "inbox" / f"{EMAIL}.jsonl"), "--format", "sarif"],
        ["check", str(target / "inbox" / f"{EMAIL}.jsonl")],
    ):
        run = auditor_cli(*args)
        assert run.returncode in (0, 1), run.stderr
        outputs[" ".join(args[:1] + args[-2:])] = run.stdout + run.stderr
    assert "pdf text" in outputs and "pdf attachment" in outputs
    assert _leaks(outputs, [SSN, EMAIL, "Zelda Quixote", "00482913"]) == {}
    assert "***-**-**47_zelda~" in outputs["scan json"]
    with sqlite3.connect(tmp_path / "out" / "findings.db") as conn:
        paths = {p for (p,) in conn.execute("select path from sources")}
        assert any(p.startswith("patients/***-**-**47_zelda~") for p in paths)
        assert all(sha and len(sha) == 64 for (sha,) in conn.execute("select sha256 from sources"))


def test_generated_documents_leak_in_no_output_including_the_pdf(tmp_path):
    require_tool("pdftotext", "poppler-utils")
    values = write_documents(tmp_path / "docs", 24, seed=1919)
    assert len(values) > 80  # the check checks something
    outputs = every_output(tmp_path / "docs", tmp_path / "out", pdf=True)
    assert "pdf text" in outputs
    assert _leaks(outputs, values) == {}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**31 - 1), count=st.integers(min_value=1, max_value=6))
def test_property_no_raw_value_in_json_table_sarif_sqlite_or_listings(detector, seed, count):
    with tempfile.TemporaryDirectory() as tmp:
        values = write_documents(Path(tmp) / "docs", count, seed)
        outputs = every_output(Path(tmp) / "docs", Path(tmp) / "out", pdf=False, detector=detector)
        assert _leaks(outputs, values) == {}


def test_a_surname_behind_particles_leaks_in_no_output(detector, tmp_path):
    # bench.no_leak, 200 documents of seed 19: NER stopped at "Rodolfo" and "Xavier", and the
    # pattern wanted a surname of two letters or more, so "de la O" stood in clear in excerpts.
    note = (
        "Patient: Rodolfo de la O\nDOB: 03/18/1960    MRN: MR-180473772\n\n"
        "Mr. de la O reports symptoms began 4 days ago. He lives with Xavier de la O, who helps.\n"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "note.txt").write_text(note)
    outputs = every_output(tmp_path / "docs", tmp_path / "out", pdf=False, detector=detector)
    assert _leaks(outputs, ["de la O", "Rodolfo", "Xavier", "180473772"]) == {}


def test_the_single_pass_search_finds_values_inside_and_at_the_start_of_others():
    text = "..abcdefgh.. xyzzy"
    assert values_in(text, {"abcde", "abcdefgh", "cdefg", "xyzzy1"}) == {"abcde", "abcdefgh", "cdefg"}
    assert values_in("a.b*c", {"a.b*c", "a+b"}) == {"a.b*c"}  # values are literals, not patterns
    assert values_in("anything", set()) == set()


def test_a_value_standing_as_its_own_token_is_a_leak_and_the_two_chance_shapes_are_not():
    # Seed 21's PDF text: five digits inside a fingerprint's head that WeasyPrint wrapped across
    # the lines of a table cell (the scan JSON has it whole), and a surname inside a word.
    # Around them, planted leaks.
    fingerprint = "081b48267960" + "5e" * 26
    pdf_text = (
        "Finding  fingerprint\nSSN  081b4826796\n0\nSSN  081b48\n267960\n"
        "Prices: rules/prices.yaml, 2026-11-01\n"
        "Patient Zelda Quixote, MRN 00482913, seen by Dr. Price.\n"
    )
    outputs = {
        "scan json": f'{{"fingerprint": "{fingerprint}"}}',
        "pdf text": pdf_text,
        "pdf text, lines joined": " ".join(pdf_text.split()),
        "findings list table": "a.txt:1:9  PERSON  P**** (Prices: 3)\n",  # only inside a word here
        "sqlite bytes findings.db": "\x00\x17notes.txtPrice\x01",  # columns run into each other
    }
    values = {"48267", "26796", "Price", "Zelda Quixote", "00482913", "536-22-8147"}
    hits = {(hit.output, hit.value): hit for hit in classify_outputs(outputs, values)}

    chance = {key: hit.shape for key, hit in hits.items() if not hit.leak}
    assert chance == {
        ("pdf text", "48267"): CHANCE_HEX_RUN,
        ("pdf text", "26796"): CHANCE_HEX_RUN,  # in a piece of six, joined with the line before
        ("pdf text, lines joined", "48267"): CHANCE_HEX_RUN,
        ("pdf text, lines joined", "26796"): CHANCE_HEX_RUN,
        ("findings list table", "Price"): CHANCE_LONGER_WORD,
    }
    assert "081b[[48267]]96" in hits["pdf text", "48267"].context  # shown for a reader to judge
    assert "[[Price]]s: 3" in hits["findings list table", "Price"].context
    # "Price" is also inside "Prices:" in the PDF, but "Dr. Price." stands on its own: a leak.
    leaked = {key for key, hit in hits.items() if hit.leak}
    assert leaked == {
        ("pdf text", "Zelda Quixote"),
        ("pdf text", "00482913"),
        ("pdf text", "Price"),
        ("pdf text, lines joined", "Zelda Quixote"),
        ("pdf text, lines joined", "00482913"),
        ("pdf text, lines joined", "Price"),
        ("sqlite bytes findings.db", "Price"),
    }
    assert "Dr. [[Price]]." in hits["pdf text", "Price"].context
    assert _leaks(outputs, values) == {"pdf text": 3, "pdf text, lines joined": 3, "sqlite bytes findings.db": 1}


def test_digits_glued_to_other_digits_letters_or_unknown_hex_still_count_as_leaks():
    # Only the two known chance shapes are set apart; any other glue is a hit to look at.
    outputs = {"scan json": '"id": "x00482913", "n": 1004829130, "zip": "A02139", "ref": "bead021394"'}
    hits = classify_outputs(outputs, {"00482913", "02139"})
    assert {(hit.value, hit.shape) for hit in hits} == {
        ("00482913", "glued to letters and digits"),
        ("02139", "glued to letters and digits"),
    }
