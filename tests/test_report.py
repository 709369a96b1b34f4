"""The audit report PDF, read back: sections, numbers equal to the database, no leak, integrity.

One module-scoped fixture scans a copy of examples/ twice in this process (the session's
detector, so spaCy loads once), with a waiver file and an edit between the scans, and stores
both scans in a SQLite database; one PDF of the second scan is rendered and read back.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader
from support.leaks import leaks
from support.tools import require_tool

from auditor.cli import _run
from auditor.config import ScanConfig
from auditor.pipeline import run_scan
from auditor.reports import charts
from auditor.reports.data import build_report
from auditor.reports.integrity import read_evidence, scan_evidence, sha256_hex
from auditor.reports.pdf import render_html, render_pdf
from auditor.store import open_database, record_scan
from auditor.store.repository import list_scans

REPO = Path(__file__).resolve().parent.parent
SECTIONS = (
    "Contents",
    "1. Executive summary",
    "Top risks",
    "2. Scope and inventory",
    "Sources scanned",
    "Sources skipped",
    "AI destinations",
    "3. Methodology and limits",
    "not de-identification",
    "What static analysis cannot see",
    "4. Results per framework",
    "5. Flow decision register",
    "6. Waivers",
    "7. Trend against the previous scan",
    "8. Remediation plan",
    "9. Routing and cost",
    "10. Attestation",
    "Prepared by",
    "Reviewed by",
    "Appendix A. Findings",
)
WAIVERS = """
waivers:
  - id: W-2026-001
    rule: ITAR-EXPORT-001
    path: "*/org-rules/*"
    justification: Sample rule pack text, reviewed by export counsel.
    approver: R. Okafor (Empowered Official)
    expires: 2099-12-31
  - id: W-2024-002
    rule: SOX-ICFR-001
    path: "*/finance/*"
    justification: Draft released publicly.
    approver: J. Rivera (Controller)
    expires: 2024-01-31
"""


@pytest.fixture(scope="module")
def stored(tmp_path_factory, detector):
    """A database holding two complete scans of examples/ (the second after an edit)."""
    base = tmp_path_factory.mktemp("report")
    root = base / "examples"
    shutil.copytree(REPO / "examples", root)
    waivers = base / "auditor-waivers.yaml"
    waivers.write_text(WAIVERS, encoding="utf-8")
    db = base / "findings.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUDITOR_FINGERPRINT_KEY", "report-test")
        mp.delenv("AUDITOR_DATABASE_URL", raising=False)
        engine = open_database(str(db), write=True)
        config = ScanConfig(waivers_file=waivers)
        for edit in (False, True):
            if edit:
                note = root / "notes" / "clinical_note.txt"
                note.write_text(note.read_text(encoding="utf-8").replace("00562198", "00777431"), encoding="utf-8")
            with record_scan(engine, [str(root)]) as recording:
                recording.complete(run_scan([str(root)], config, detector=detector))
        engine.dispose()
    return db


@pytest.fixture(scope="module")
def report(stored, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    done = render_pdf(out / "audit.pdf", db=str(stored), html_path=out / "audit.html", organisation="Acme Health")
    reader = PdfReader(done.path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return done, reader, text


def scan_row(db: Path, scan: int = 2) -> dict:
    engine = open_database(str(db))
    with engine.connect() as conn:
        [row] = [r for r in list_scans(conn) if r["id"] == scan]
    engine.dispose()
    return row


def squash(text: str) -> str:
    return " ".join(text.split())


def test_every_section_is_in_the_pdf(report):
    done, reader, text = report
    flat = squash(text)
    for heading in SECTIONS:
        assert heading in flat, heading
    assert "Acme Health" in flat and "Scan 2" in flat and done.scan_id == 2
    for pack in ("hipaa", "itar", "sox", "privacy"):
        assert f"{pack} 1.0.0" in flat


def test_the_cover_names_each_pack_with_its_sha256(report, stored):
    _, _, text = report
    with sqlite3.connect(stored) as conn:
        packs = conn.execute("select pack_id, sha256 from scan_packs where scan_id = 2").fetchall()
    flat = squash(text).replace(" ", "")
    assert len(packs) == 4 and all(sha in flat for _, sha in packs)


def test_the_summary_numbers_are_the_databases(report, stored):
    _, _, text = report
    row = scan_row(stored)
    flat = squash(text)
    assert (
        f"read {row['sources_scanned']} sources (skipping {row['sources_skipped']}), "
        f"found {row['findings_count']} pieces of regulated data and {row['flows_count']} flows" in flat
    )
    assert (
        f"All flows of the scan {row['local_only_count']} {row['conditional_count']} {row['allow_count']} "
        f"{row['flows_count']}" in flat
    )
    assert f"local_only: {row['local_only_count']}" in flat and f"allow: {row['allow_count']}" in flat


def test_the_register_has_one_row_per_flow(report, stored):
    _, reader, _ = report
    row = scan_row(stored)
    pages = [p.extract_text() for p in reader.pages]
    register = squash(" ".join(p for p in pages if "5. Flow decision register" in p))
    assert f"({row['flows_count']} of {row['flows_count']})" in register
    with sqlite3.connect(stored) as conn:
        query = "select distinct rule_id from flow_rules join flows on flows.id = flow_id where scan_id = 2"
        rules = {rule for (rule,) in conn.execute(query)}
    assert rules and all(rule in register for rule in rules)


def test_no_raw_identifier_is_in_the_pdf_text_the_html_or_the_attachment(report):
    done, _, text = report
    evidence = read_evidence(done.path)
    assert leaks(text) == [] and leaks(squash(text)) == []
    assert leaks(done.html_path.read_text(encoding="utf-8")) == []
    assert leaks(evidence.data.decode("utf-8")) == []
    assert leaks(done.path.read_bytes().decode("latin-1")) == []


def test_the_attachment_hash_is_printed_on_every_page_and_matches_the_database(report, stored):
    done, reader, _ = report
    evidence = read_evidence(done.path)
    assert evidence.name == "auditor-scan-2-evidence.json" and evidence.scan_id == 2
    assert evidence.sha256 == done.evidence_sha256 == evidence.recorded_sha256
    assert all(done.evidence_sha256 in page.extract_text() for page in reader.pages)
    engine = open_database(str(stored))
    with engine.connect() as conn:
        assert sha256_hex(scan_evidence(conn, 2)) == done.evidence_sha256
    engine.dispose()
    document = json.loads(evidence.data)
    assert len(document["findings"]) == scan_row(stored)["findings_count"]
    assert len(document["flows"]) == scan_row(stored)["flows_count"]


def test_report_verify_says_match_then_mismatch_when_the_database_changes(report, stored, tmp_path, capsys):
    done, _, _ = report
    assert _run(["report", "verify", str(done.path), "--db", str(stored)]) == 0
    assert "MATCH" in capsys.readouterr().out
    changed = tmp_path / "changed.db"
    shutil.copy(stored, changed)
    with sqlite3.connect(changed) as conn:
        conn.execute("update findings set confidence = 0.5 where id = (select max(id) from findings)")
    assert _run(["report", "verify", str(done.path), "--db", str(changed)]) == 1
    assert "MISMATCH: the database no longer holds this evidence" in capsys.readouterr().out


def test_report_verify_refuses_a_pdf_without_evidence(tmp_path, stored, capsys):
    import weasyprint

    plain = tmp_path / "plain.pdf"
    weasyprint.HTML(string="<p>hello</p>").write_pdf(plain)
    assert _run(["report", "verify", str(plain), "--db", str(stored)]) == 2
    assert "no auditor evidence attachment" in capsys.readouterr().err


def test_the_pdf_is_pdf_a_3b_with_the_attachment_as_data(report):
    done, reader, _ = report
    assert done.pdf_variant == "pdf/a-3b"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    specs = [a.get_object() for a in reader.trailer["/Root"]["/AF"]]  # WeasyPrint may list the file twice
    assert {s["/F"] for s in specs} == {"auditor-scan-2-evidence.json"}
    assert {s["/AFRelationship"] for s in specs} == {"/Data"}


def test_bookmarks_and_the_table_of_contents_point_at_pages(report):
    _, reader, _ = report
    titles = {item.title: reader.get_destination_page_number(item) for item in _flat(reader.outline)}
    assert titles["1. Executive summary"] == 2 and titles["Appendix A. Findings"] > titles["10. Attestation"]
    contents = squash(reader.pages[1].extract_text())
    for title, index in titles.items():
        if title[0].isdigit() or title.startswith("Appendix"):
            assert f"{title}" in contents and f" {index + 1}" in contents


def test_every_page_has_the_scan_id_and_its_number(report):
    _, reader, _ = report
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert "Scan 2 · " in text and f"Page {number} of {total}" in text


def test_waivers_show_approver_expiry_and_expired_ones_flagged(report):
    _, _, text = report
    flat = squash(text)
    assert "R. Okafor (Empowered Official)" in flat and "2099-12-31 in force" in flat
    assert "J. Rivera (Controller)" in flat and "2024-01-31 EXPIRED" in flat


def test_the_trend_counts_new_and_fixed_against_the_previous_scan(report, stored):
    engine = open_database(str(stored))
    with engine.connect() as conn:
        from auditor.store.repository import diff_scans

        diff = diff_scans(conn, "1", "2")
    engine.dispose()
    new, fixed = len(diff["findings"]["new"]), len(diff["findings"]["fixed"])
    assert new >= 1 and fixed >= 1
    assert "Against scan 1 of the same target" in squash(report[2])
    assert f"{new} new finding{'s' if new != 1 else ''} and {fixed} fixed" in squash(report[2])


def test_the_first_scan_has_no_trend(stored):
    html = _html(stored, scan="1")
    assert "This is the first complete scan" in html


def test_the_appendix_lists_up_to_the_limit_and_summarises_the_rest(stored):
    row = scan_row(stored)
    html = squash(_html(stored, appendix_limit=10))
    assert f"10 of {row['findings_count']:,} findings are listed" in html
    assert "Findings not listed, by file and category" in html


def test_a_framework_narrows_results_and_register(stored):
    html = squash(_html(stored, frameworks=("hipaa",)))
    assert "HIPAA: HIPAA" in html and "SOX: SOX" not in html
    assert "touched by HIPAA rules" in html and "HIPAA-BAA-001" in html
    assert "SOX-BANK-001" not in html and "EAR-600-001" not in html  # the waivers section stays whole


def test_the_cli_needs_pdf_and_a_known_framework(stored, capsys):
    assert _run(["report", "--db", str(stored)]) == 2
    assert "needs --pdf FILE" in capsys.readouterr().err
    assert _run(["report", "--db", str(stored), "--pdf", "x.pdf", "--framework", "GDPR"]) == 2
    assert "framework 'GDPR' is not among" in capsys.readouterr().err


def test_a_missing_database_is_one_line_exit_2(tmp_path, capsys):
    assert _run(["report", "--db", str(tmp_path / "none.db"), "--pdf", str(tmp_path / "a.pdf")]) == 2
    assert "no findings database" in capsys.readouterr().err


def test_the_pages_render_to_png_with_pdftoppm(report, tmp_path):
    require_tool("pdftoppm", "poppler-utils")
    done, reader, _ = report
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(done.path), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == len(reader.pages)


def test_charts_are_well_formed_svg_with_their_labels():
    svg = charts.grouped_bars(["PHI", "PII"], [("before", [3, 0]), ("after <now>", [1, 12])], title="T & t")
    root = ET.fromstring(svg)
    labels = [el.text for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "after <now>" in labels and "12" in labels
    ET.fromstring(charts.horizontal_bars([], title="empty"))
    ET.fromstring(charts.stacked_bar([charts.Bar("allow", 0)]))


def _html(db: Path, scan: str = "latest", **options) -> str:
    engine = open_database(str(db))
    with engine.connect() as conn:
        report = build_report(conn, scan, **options)
    engine.dispose()
    return render_html(report)


def _flat(outline) -> list:
    items = []
    for item in outline:
        items.extend(_flat(item) if isinstance(item, list) else [item])
    return items


def test_report_records_the_finished_pdfs_sha256(report, stored):
    done, _, _ = report
    assert done.pdf_sha256 == sha256_hex(done.path.read_bytes())
    with sqlite3.connect(stored) as conn:
        recorded = {row[0] for row in conn.execute("select pdf_sha256 from reports where scan_id = 2")}
    assert done.pdf_sha256 in recorded


def test_report_verify_sees_a_flipped_byte_in_a_page(report, stored, tmp_path, capsys):
    done, _, _ = report
    altered = tmp_path / "flipped.pdf"
    data = bytearray(done.path.read_bytes())
    data[len(data) // 3] ^= 0x01
    altered.write_bytes(bytes(data))
    assert _run(["report", "verify", str(altered), "--db", str(stored)]) in (1, 2)
    assert not any(line.startswith("MATCH") for line in capsys.readouterr().out.splitlines())


def test_report_verify_sees_a_removed_page_with_the_attachment_intact(report, stored, tmp_path, capsys):
    from pypdf import PdfWriter

    done, _, _ = report
    writer = PdfWriter(clone_from=str(done.path))
    writer.remove_page(len(writer.pages) - 1)
    altered = tmp_path / "short.pdf"
    with open(altered, "wb") as handle:
        writer.write(handle)
    assert read_evidence(altered).sha256 == done.evidence_sha256  # the attachment survived
    assert _run(["report", "verify", str(altered), "--db", str(stored)]) == 1
    assert "MISMATCH: the file is not the PDF auditor wrote" in capsys.readouterr().out


def test_routing_and_cost_prices_the_logged_requests_with_the_price_dates(tmp_path):
    """The plan's hand-checked log (tests/test_plan.py) scanned, stored and reported: the page
    holds the plan table's totals, the price table's dates, the assumption, and the chart."""
    plan = REPO / "tests" / "fixtures" / "plan"
    db = str(tmp_path / "plan.db")
    assert _run(["scan", str(plan / "requests.jsonl"), "--config", str(plan / "auditor.toml"), "--db", db,
                 "--exit-zero", "--format", "json", "--out", str(tmp_path / "scan.json")]) == 0  # fmt: skip
    pdf = tmp_path / "plan.pdf"
    assert _run(["report", "--db", db, "--pdf", str(pdf), "--config", str(plan / "auditor.toml")]) == 0
    pages = [squash(p.extract_text()) for p in PdfReader(str(pdf)).pages]
    page = next(p for p in pages if "9. Routing and cost" in p and "Must move" in p)
    assert "Cost today 4.34 USD; with the plan applied 1.84 USD (saving 2.50 USD)" in page
    assert "as of 2025-06-30 to 2026-11-01" in page and "an assumption" in page
    assert "Cost per day by destination" in page and "2026-11-02" in page and "2026-11-03" in page
    assert not any(value in page for value in ("Okafor", "4471923"))


def test_the_cost_chart_stacks_today_and_planned_per_day():
    svg = charts.cost_by_day(
        ["2026-11-02"], ["ollama", "openai"], {("2026-11-02", "openai"): 2.0}, {("2026-11-02", "ollama"): 0.5},
        title="Cost per day",
    )  # fmt: skip
    root = ET.fromstring(svg)
    labels = [e.text for e in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"T", "P", "2026-11-02", "ollama", "openai", "2.00"} <= set(labels)
    heights = sorted(float(r.get("height")) for r in root.iter("{http://www.w3.org/2000/svg}rect"))
    assert heights[-1] == pytest.approx(4 * heights[-2], rel=0.01)  # 2.00 against 0.50 on one scale


def test_every_output_format_maps_to_one_kind_of_format(tmp_path):
    from auditor.errors import UsageError
    from auditor.reports.formats import report_format, result_format
    from auditor.reports.interface import REPORT_FORMATS, OutputFormat, ReportFormat, ResultFormat

    for choice in OutputFormat:
        if choice in REPORT_FORMATS:
            assert isinstance(report_format(choice), ReportFormat)
            with pytest.raises(UsageError):
                result_format(choice)
        else:
            assert isinstance(result_format(choice), ResultFormat)
            with pytest.raises(UsageError):
                report_format(choice)
