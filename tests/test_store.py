"""The findings database as a library, on SQLite and on PostgreSQL: writes, queries, identity."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from support.store import BACKENDS, database_url, finding, scan_result

from auditor.model import Category
from auditor.store import open_database, record_scan
from auditor.store import tables as t
from auditor.store.repository import Filters, diff_scans, get_finding, get_flow, list_findings, list_flows, list_scans


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    with database_url(request.param, tmp_path) as url:
        engine = open_database(url, write=True)
        yield engine
        engine.dispose()


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "logs").mkdir(parents=True)
    (root / "notes").mkdir()
    (root / "logs" / "requests.jsonl").write_text('{"prompt": "masked here"}\n')
    (root / "notes" / "visit.txt").write_text("reach me at someone\n")
    return str(root)


def store(engine, result, roots=None) -> int:
    with record_scan(engine, roots or list(result.roots)) as recording:
        recording.complete(result)
    return recording.scan_id


def query(engine, fn, *args):
    with engine.connect() as conn:
        return fn(conn, *args)


def test_a_complete_scan_keeps_its_rows_counts_and_provenance(engine, project):
    scan_id = store(engine, scan_result(project))
    [scan] = query(engine, list_scans)
    assert scan["id"] == scan_id and scan["status"] == "complete" and scan["target"] == "."
    assert (scan["findings_count"], scan["flows_count"], scan["local_only_count"], scan["conditional_count"]) == (
        3,
        2,
        1,
        1,
    )
    assert scan["config_sha256"] == "cd" * 32 and scan["finished_at"] >= scan["started_at"]
    with engine.connect() as conn:
        sources = conn.execute(select(t.Source.path, t.Source.status, t.Source.sha256).order_by(t.Source.id)).all()
        packs = conn.execute(select(t.ScanPack.pack_id, t.ScanPack.version, t.ScanPack.sha256)).all()
    assert sources[0].path == "logs/requests.jsonl" and len(sources[0].sha256) == 64
    assert [s.status for s in sources] == ["scanned", "scanned", "skipped", "skipped"]
    assert packs == [("hipaa", "1.0.0", "ab" * 32)]


def test_findings_list_filters_by_category(engine, project):
    store(engine, scan_result(project))
    rows = query(engine, list_findings, Filters(categories=("pii",)))
    assert [(r["category"], r["path"]) for r in rows] == [("PII", "notes/visit.txt")]


def test_filters_by_framework_through_the_rule_trail(engine, project):
    store(engine, scan_result(project))
    assert [r["category"] for r in query(engine, list_findings, Filters(frameworks=("itar",)))] == ["EXPORT_CONTROLLED"]
    assert [r["destination"] for r in query(engine, list_flows, Filters(frameworks=("HIPAA",)))] == ["openai"]


def test_filters_by_verdict(engine, project):
    store(engine, scan_result(project))
    [only] = query(engine, list_flows, Filters(verdicts=("local_only",)))
    assert only["destination"] == "anthropic" and only["waived"] is True and only["rules"] == "ITAR-EXPORT-001"
    assert [r["entity"] for r in query(engine, list_findings, Filters(verdicts=("conditional",)))] == [
        "MEDICAL_RECORD_NUMBER"
    ]


def test_filters_by_destination(engine, project):
    store(engine, scan_result(project))
    assert [r["verdict"] for r in query(engine, list_flows, Filters(destinations=("openai",)))] == ["conditional"]
    assert query(engine, list_findings, Filters(destinations=("vertex",))) == []


def test_filters_flows_by_category(engine, project):
    store(engine, scan_result(project))
    assert [r["destination"] for r in query(engine, list_flows, Filters(categories=("EXPORT_CONTROLLED",)))] == [
        "anthropic"
    ]


def test_filters_by_path_glob(engine, project):
    store(engine, scan_result(project))
    assert {r["path"] for r in query(engine, list_findings, Filters(path_glob="logs/*"))} == {"logs/requests.jsonl"}
    assert {r["path"] for r in query(engine, list_findings, Filters(path_glob="**/visit.???"))} == {"notes/visit.txt"}
    assert query(engine, list_findings, Filters(path_glob="logs/%")) == []  # % is literal, not SQL


def test_scan_id_and_latest_select_the_scan(engine, project):
    first = store(engine, scan_result(project))
    second = store(engine, scan_result(project, drop_mrn=True))
    assert {r["scan_id"] for r in query(engine, list_findings, Filters())} == {second}
    assert len(query(engine, list_findings, Filters(scan=str(first)))) == 3
    assert len(query(engine, list_findings, Filters(scan="latest", target="."))) == 2


def test_new_since_a_scan(engine, project):
    first = store(engine, scan_result(project, drop_mrn=True))
    store(engine, scan_result(project))
    [new] = query(engine, list_findings, Filters(new_since=str(first)))
    assert new["entity"] == "MEDICAL_RECORD_NUMBER"
    assert [f["destination"] for f in query(engine, list_flows, Filters(new_since=str(first)))] == ["openai"]


def test_since_a_date_keeps_what_was_first_seen_after_it(engine, project):
    first = store(engine, scan_result(project, drop_mrn=True))
    week_ago = datetime.now(UTC) - timedelta(days=7)
    with engine.begin() as conn:  # the first scan ran two weeks ago
        conn.execute(update(t.Scan).where(t.Scan.id == first).values(started_at=week_ago - timedelta(days=7)))
    store(engine, scan_result(project))
    assert [f["entity"] for f in query(engine, list_findings, Filters(since=week_ago))] == ["MEDICAL_RECORD_NUMBER"]
    assert len(query(engine, list_findings, Filters(since=week_ago - timedelta(days=30)))) == 3


def test_flow_show_has_the_rule_trail_findings_and_the_waiver_approver(engine, project):
    store(engine, scan_result(project))
    [flow] = query(engine, list_flows, Filters(destinations=("anthropic",)))
    shown = query(engine, get_flow, flow["id"]).as_row()
    [rule] = shown["trail"]
    assert rule["rule_id"] == "ITAR-EXPORT-001" and rule["citations"] == ["22 CFR 120.50"] and rule["waiver"] == "W-7"
    assert shown["waivers"][0]["approver"] == "j.doe" and shown["findings"][0]["entity"] == "ECCN"
    openai = query(engine, list_flows, Filters(destinations=("openai",)))[0]
    conditional = query(engine, get_flow, openai["id"]).as_row()
    assert conditional["trail"][0]["conditions"] == [
        {"id": "baa_in_force", "text": "BAA signed with the vendor", "met": False}
    ]
    finding_id = shown["findings"][0]["id"]
    assert [f["id"] for f in query(engine, get_finding, finding_id).as_row()["flows"]] == [flow["id"]]


def test_diff_says_new_fixed_and_unchanged(engine, project):
    before = store(engine, scan_result(project))
    extra = finding(f"{project}/notes/visit.txt", 9, "d4", Category.PII)
    after = store(engine, scan_result(project, drop_mrn=True, extra=(extra,)))
    diff = query(engine, diff_scans, str(before), str(after))
    assert [f["excerpt"] for f in diff["findings"]["new"]] == [extra.excerpt]
    assert [f["entity"] for f in diff["findings"]["fixed"]] == ["MEDICAL_RECORD_NUMBER"]
    assert len(diff["findings"]["unchanged"]) == 2
    assert [f["destination"] for f in diff["flows"]["fixed"]] == ["openai"] and diff["flows"]["new"] == []


def test_identity_survives_moved_lines_and_another_way_of_naming_the_root(engine, project, monkeypatch, tmp_path):
    before = store(engine, scan_result(project))
    monkeypatch.chdir(tmp_path)
    after = store(engine, scan_result("project", shift=5), roots=["project"])  # relative, lines moved
    diff = query(engine, diff_scans, str(before), str(after))
    assert diff["findings"]["new"] == [] and diff["findings"]["fixed"] == []
    assert diff["flows"]["new"] == [] and len(diff["flows"]["unchanged"]) == 2


def test_a_failed_write_ends_failed_and_leaves_earlier_scans_untouched(engine, project):
    earlier = store(engine, scan_result(project))
    broken = dataclasses.replace(scan_result(project), findings=(*scan_result(project).findings, None))
    with pytest.raises(Exception), record_scan(engine, [project], batch_rows=1) as recording:  # noqa: B017
        recording.complete(broken)  # the fourth finding cannot be written
    scans = {s["id"]: s for s in query(engine, list_scans)}
    assert scans[recording.scan_id]["status"] == "failed" and scans[earlier]["status"] == "complete"
    with engine.connect() as conn:
        left = conn.execute(select(t.Finding.scan_id).where(t.Finding.scan_id == recording.scan_id)).all()
    assert left == []  # no half-written scan
    assert len(query(engine, list_findings, Filters(scan=str(earlier)))) == 3


def test_an_interrupted_scan_ends_interrupted_never_complete(engine, project):
    with pytest.raises(KeyboardInterrupt), record_scan(engine, [project]) as recording:
        raise KeyboardInterrupt
    [scan] = query(engine, list_scans)
    assert scan["id"] == recording.scan_id and scan["status"] == "interrupted" and scan["error"] == "KeyboardInterrupt"


def test_a_scan_that_stores_nothing_is_not_complete(engine, project):
    with record_scan(engine, [project]):
        pass
    assert query(engine, list_scans)[0]["status"] == "failed"


def test_two_scans_writing_at_once_both_succeed(engine, project):
    many = tuple(finding(f"{project}/notes/visit.txt", n, f"{n:04x}") for n in range(3000))
    result = scan_result(project, extra=many)
    barrier, errors, ids = threading.Barrier(2), [], []

    def write():
        own = open_database(engine.url.render_as_string(hide_password=False), write=True)
        try:
            barrier.wait()
            with record_scan(own, [project], batch_rows=200) as recording:
                recording.complete(result)
            ids.append(recording.scan_id)
        except Exception as exc:  # reported below, with the other writer's outcome
            errors.append(exc)
        finally:
            own.dispose()

    writers = [threading.Thread(target=write) for _ in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
    assert errors == [] and len(ids) == 2
    assert {s["status"] for s in query(engine, list_scans)} == {"complete"}
    assert all(len(query(engine, list_findings, Filters(scan=str(i)))) == 3003 for i in ids)


def test_a_streamed_scan_stores_what_complete_stores(engine, project):
    """What ``auditor scan --engine spark`` does: findings and flows arrive as streams, one
    row at a time here (batch_rows=1), each flow naming its findings by ordinal."""
    from auditor.store import StreamedSettings

    result = scan_result(project)
    whole = store(engine, result)
    ordinal_of = {f: n for n, f in enumerate(result.findings)}
    settings = StreamedSettings(
        result.model_name, result.min_confidence, result.fail_on, result.config_sha256, result.packs, result.waivers
    )
    with record_scan(engine, list(result.roots), batch_rows=1) as recording:
        recording.complete_streamed(
            settings,
            iter([*result.sources, *result.skipped]),
            iter(enumerate(result.findings)),
            ((n, a, tuple(ordinal_of[f] for f in a.flow.findings)) for n, a in enumerate(result.flows)),
        )
    streamed = recording.scan_id
    scans = {s["id"]: s for s in query(engine, list_scans)}
    counted = ("status", "findings_count", "flows_count", "sources_scanned", "sources_skipped", "local_only_count")
    assert [scans[streamed][k] for k in counted] == [scans[whole][k] for k in counted]
    diff = query(engine, diff_scans, str(whole), str(streamed))
    for part in ("findings", "flows"):
        assert diff[part]["new"] == [] and diff[part]["fixed"] == [] and diff[part]["unchanged"], part
    with engine.connect() as conn:
        links = dict(
            conn.execute(
                select(t.Flow.scan_id, func.count())
                .select_from(t.FlowFinding)
                .join(t.Flow, t.Flow.id == t.FlowFinding.flow_id)
                .group_by(t.Flow.scan_id)
            ).all()
        )
        rules = dict(
            conn.execute(
                select(t.Flow.scan_id, func.count())
                .select_from(t.FlowRule)
                .join(t.Flow, t.Flow.id == t.FlowRule.flow_id)
                .group_by(t.Flow.scan_id)
            ).all()
        )
    assert links[streamed] == links[whole] > 0 and rules[streamed] == rules[whole] > 0


def test_the_flow_view_holds_every_column_of_flows_in_the_table_order():
    from auditor.store.records import FlowDetail

    names = [field.name for field in dataclasses.fields(FlowDetail)]
    assert names == [column.name for column in t.Flow.__table__.c] + ["trail", "waivers", "findings"]
