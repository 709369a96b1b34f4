"""The Spark engine (auditor.spark) in local mode: the same result as ``auditor scan``.

One SparkSession (local[2]) for the module and one scan of a small log set shared by most
tests, since a session and its Python workers take tens of seconds to start. Deselect with
``-m 'not spark'``; CI runs them (PySpark is in the dev extra, Java from .ci/run).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.cli import auditor_cli

from auditor.config import ScanConfig
from auditor.model import Finding
from auditor.pipeline import run_scan

pyspark = pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark

REPO = Path(__file__).resolve().parent.parent
# Invented values, written into the mixed log below; they must never reach a DataFrame.
RAW_SSN = "914-22-7351"
RAW_NAME = "Okafor"
MIXED_LOG = (
    json.dumps(
        {
            "model": "gpt-4o",
            "messages": [{"role": "user", "content": f"Patient Maria {RAW_NAME}, MRN 4471923, DOB 3/14/1961, CHF"}],
        }
    )
    + "\n"
    + "not json at all\n"
    + "\n"
    + "42\n"
    + json.dumps({"note": f"SSN {RAW_SSN} for John Smith, call 617-555-0134"})
    + "\n"
    + '{"model": "claude-3-5-sonnet", "messages": [{"role": "user", "content": "Q3 revenue '
    + 'of $48.2M is unreleased; draft 10-Q"}]}\n'
)
# A JSON document holding an array of records, as some exporters write them (read whole, as
# ``auditor scan`` reads a .json file): a request, an object of unknown shape, a bare string.
BATCH_JSON = json.dumps(
    [
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "Patient Ana Lima, MRN 5512093, DOB 2/9/1958"}]},
        {"note": "call 617-555-0199 about claim 7"},
        "Dr. Sara Patel reviewed SSN 321-54-9876",
    ],
    indent=2,
)
BROKEN_JSON = '[{"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}'  # cut short
# File names are data too: a log named by a patient's SSN is shown masked in every output.
NAME_SSN = "536-22-8147"
NAMED_LOG = f"patient_{NAME_SSN}.jsonl"


@pytest.fixture(scope="module")
def key_env():
    """The module's scans run in one Spark session whose workers outlive a test: a fixed key."""
    previous = os.environ.get("AUDITOR_FINGERPRINT_KEY")
    os.environ["AUDITOR_FINGERPRINT_KEY"] = "test-site-key"
    yield
    if previous is None:
        os.environ.pop("AUDITOR_FINGERPRINT_KEY", None)
    else:
        os.environ["AUDITOR_FINGERPRINT_KEY"] = previous


@pytest.fixture(scope="module")
def spark(key_env):
    from auditor.spark import spark_session

    session = spark_session("local[2]", app_name="auditor tests")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def log_set(tmp_path_factory) -> Path:
    """JSONL logs: the example requests, a real LiteLLM log (and copies), one with bad lines,
    one named by an SSN; JSON documents: an array of records, and one cut short."""
    folder = tmp_path_factory.mktemp("spark-logs") / "logs"
    folder.mkdir()
    shutil.copy(REPO / "examples" / "logs" / "llm_requests.jsonl", folder)
    shutil.copy(REPO / "tests" / "fixtures" / "logs" / "litellm_standard_logging.jsonl", folder)
    (folder / "mixed.jsonl").write_text(MIXED_LOG, encoding="utf-8")
    (folder / "batch.json").write_text(BATCH_JSON, encoding="utf-8")
    (folder / "broken.json").write_text(BROKEN_JSON, encoding="utf-8")
    named = {"model": "gpt-4o", "messages": [{"role": "user", "content": "SSN 536-22-8147, Zelda Quist"}]}
    (folder / NAMED_LOG).write_text(json.dumps(named) + "\nnot json\n", encoding="utf-8")
    for number in range(3):  # more partitions than workers, to see detectors reused
        shutil.copy(folder / "litellm_standard_logging.jsonl", folder / f"litellm-{number}.jsonl")
    return folder


@pytest.fixture(scope="module")
def spark_scan(spark, log_set):
    from auditor.spark import scan_logs

    result = scan_logs(spark, str(log_set))
    yield result
    result.unpersist()


def _finding_key(finding: Finding) -> tuple:
    loc = finding.location
    return (
        os.path.abspath(loc.path),
        loc.line,
        loc.column,
        loc.record,
        loc.pointer,
        finding.detector,
        finding.entity,
        finding.category.value,
        finding.confidence,
        finding.excerpt,
        finding.fingerprint,
        finding.label,
    )


def _flow_key(assessed) -> tuple:
    flow, verdict = assessed.flow, assessed.verdict
    trail = tuple(
        (o.rule_id, o.decision.value, o.matched, tuple((c.id, c.met) for c in o.conditions)) for o in verdict.trail
    )
    return (
        flow.kind.value,
        os.path.abspath(flow.sink.location.path),
        flow.sink.location.line,
        flow.sink.location.record,
        flow.destination.id,
        flow.destination.resolved_by,
        verdict.decision.value,
        trail,
        tuple(sorted(f.fingerprint for f in flow.findings)),
    )


def test_spark_result_equals_auditor_scan_on_the_same_logs(spark_scan, log_set):
    """Findings and verdicts equal, order aside: same detectors, catalog, packs and waivers."""
    ours = spark_scan.to_result()
    reference = run_scan([str(log_set)], ScanConfig())
    assert len(reference.findings) >= 20 and len(reference.flows) >= 10  # a real comparison
    assert sorted(map(_finding_key, ours.findings)) == sorted(map(_finding_key, reference.findings))
    assert sorted(map(_flow_key, ours.flows)) == sorted(map(_flow_key, reference.flows))
    assert {f.identity for f in ours.flows} == {f.identity for f in reference.flows}
    skipped = sorted((os.path.abspath(s.path), s.line, s.reason) for s in ours.skipped)
    assert skipped == sorted((os.path.abspath(s.path), s.line, s.reason) for s in reference.skipped)
    assert ours.counts_by_decision() == reference.counts_by_decision()
    assert ours.packs == reference.packs
    # The JSON array was read record by record, and the file named by an SSN is shown masked.
    assert {f.location.record for f in ours.findings if f.location.path.endswith("/batch.json")} == {0, 1, 2}
    assert any(s.path.endswith("/broken.json") and s.line is None for s in ours.skipped)
    assert {s.path for s in ours.sources} == {s.path for s in reference.sources}


def test_no_raw_value_enters_a_dataframe_or_the_parquet_files(spark_scan, tmp_path):
    out = tmp_path / "out"
    spark_scan.write_parquet(str(out))
    for name in ("findings", "flows", "files", "problems"):
        frame = getattr(spark_scan, name)
        text = json.dumps([row.asDict(recursive=True) for row in frame.collect()])
        assert RAW_SSN not in text and RAW_NAME not in text, name
        assert "4471923" not in text, name
    written = b"".join(p.read_bytes() for p in out.rglob("*.parquet"))
    assert written and RAW_SSN.encode() not in written and RAW_NAME.encode() not in written
    findings = spark_scan.findings
    ssn = [r for r in findings.collect() if r.entity == "US_SSN"]
    assert ssn and all(r.excerpt and r.fingerprint and len(r.fingerprint) == 64 for r in ssn)
    assert spark_scan.spark.read.parquet(str(out / "flows")).count() == spark_scan.flows.count()


def test_malformed_lines_and_records_of_unknown_shape_are_counted_and_listed_per_file(spark_scan):
    files = {os.path.basename(r.path): r for r in spark_scan.files.collect()}
    mixed = files["mixed.jsonl"]
    assert (mixed.lines, mixed.records, mixed.malformed, mixed.unknown_shape) == (6, 3, 1, 2)
    assert files["llm_requests.jsonl"].malformed == 1  # the example log's truncated line 7
    by_file = spark_scan.problems_by_file()
    listed = {(os.path.basename(p), kind, count, tuple(lines)) for p, kind, count, lines in by_file}
    assert ("mixed.jsonl", "malformed", 1, (2,)) in listed
    assert ("mixed.jsonl", "unknown_shape", 2, (4, 5)) in listed
    assert ("llm_requests.jsonl", "malformed", 1, (7,)) in listed
    # A JSON document: its records counted, those of unknown shape listed by the line they start on.
    batch = files["batch.json"]
    assert (batch.format, batch.records, batch.malformed, batch.unknown_shape) == ("json", 2, 0, 2)
    assert ("batch.json", "unknown_shape", 2, (7, 12)) in listed
    assert (files["broken.json"].malformed, files["broken.json"].records) == (1, 0)
    assert ("broken.json", "malformed", 1, ()) in listed  # the document as a whole: no line


def test_python_workers_start_with_the_detector_their_daemon_loaded_and_build_none(spark, spark_scan):
    """The model is loaded once per executor, before Spark forks the workers: a worker Spark
    starts mid-job (it keeps more workers than cores, and closes idle ones) loads nothing."""
    from auditor.spark import executor

    partitions = spark_scan._cached[0].getNumPartitions()
    assert partitions >= 6  # one file a partition at least
    assert spark.sparkContext.getConf().get("spark.python.daemon.module") == "auditor.spark.daemon"
    probes = spark.sparkContext.parallelize(range(16), 16)
    state = probes.mapPartitions(
        lambda _: [(os.getpid(), (executor.detectors_built(), executor.has_preloaded_detector()))]
    ).collect()
    assert {value for _, value in state} == {(0, True)}


def test_a_scan_with_other_detector_settings_builds_one_detector_per_worker_and_reuses_it(spark, log_set):
    from auditor.spark import executor, scan_logs

    result = scan_logs(spark, str(log_set / "mixed.jsonl"), ScanConfig(min_confidence=0.6))
    try:
        assert result.totals().files == 1
        probes = spark.sparkContext.parallelize(range(16), 16)
        built = dict(probes.mapPartitions(lambda _: [(os.getpid(), executor.detectors_built())]).collect())
    finally:
        result.unpersist()
    assert max(built.values()) == 1  # a worker that scanned built its detector once


def test_parquet_logs_give_the_same_findings_as_jsonl(spark, spark_scan, log_set, tmp_path):
    from auditor.spark import scan_logs

    # The requests whose messages are plain strings: a Parquet schema holds them as they are.
    source = log_set / "llm_requests.jsonl"
    kept = {}
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines()):
        record = json.loads(line) if _parses(line) else None
        if record and all(isinstance(m.get("content"), str) for m in record.get("messages") or [{}]):
            kept[number] = record
    frame = spark.createDataFrame([(json.dumps(r),) for r in kept.values()], ["value"])
    parquet = tmp_path / "requests.parquet"
    spark.read.json(frame.rdd.map(lambda row: row.value)).coalesce(1).write.parquet(str(parquet))
    result = scan_logs(spark, str(parquet))
    try:
        got = {(r.entity, r.fingerprint, r.pointer) for r in result.findings.collect()}
        verdicts = sorted((r.destination, r.verdict, tuple(r.rule_ids)) for r in result.flows.collect())
    finally:
        result.unpersist()
    mine = [r for r in spark_scan.findings.collect() if r.path.endswith("/llm_requests.jsonl") and r.record in kept]
    assert len(kept) >= 5 and got == {(r.entity, r.fingerprint, r.pointer) for r in mine} and got
    expected = sorted(
        (r.destination, r.verdict, tuple(r.rule_ids))
        for r in spark_scan.flows.collect()
        if r.path.endswith("/llm_requests.jsonl") and r.record in kept
    )
    assert verdicts == expected


def test_file_names_are_masked_in_every_spark_output_as_auditor_scan_masks_them(spark_scan, log_set, tmp_path):
    """Issue 19's rule on Spark: an identifier in a file name is masked and tagged in the
    DataFrames, the Parquet files and the database, exactly as ``auditor scan`` shows it."""
    from auditor.fingerprint import load_key
    from auditor.pathnames import mask_path
    from auditor.store import open_database, record_scan

    masked = mask_path(NAMED_LOG, load_key())
    assert NAME_SSN not in masked and masked != NAMED_LOG
    for name in ("findings", "flows", "files", "problems"):
        rows = [row.asDict(recursive=True) for row in getattr(spark_scan, name).collect()]
        assert NAME_SSN not in json.dumps(rows), name
        assert masked in {os.path.basename(row["path"]) for row in rows}, name
    out = tmp_path / "out"
    spark_scan.write_parquet(str(out))
    assert NAME_SSN.encode() not in b"".join(p.read_bytes() for p in out.rglob("*.parquet"))
    reference = {os.path.basename(f.location.path) for f in run_scan([str(log_set)], ScanConfig()).findings}
    assert masked in reference  # the name auditor scan gives the file
    db = tmp_path / "findings.db"
    engine = open_database(str(db), [str(log_set)], write=True)
    try:
        with record_scan(engine, [str(log_set)]) as recording:
            spark_scan.store(recording)
    finally:
        engine.dispose()
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
        paths = {os.path.basename(p) for (p,) in conn.execute("SELECT path FROM findings")}
    assert NAME_SSN not in dump and masked in paths


def _parses(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def test_a_stored_spark_scan_is_one_complete_scan_that_findings_and_diff_read(spark_scan, log_set, tmp_path):
    from auditor.store import open_database, record_scan

    db = tmp_path / "findings.db"
    engine = open_database(str(db), [str(log_set)], write=True)
    try:
        with record_scan(engine, [str(log_set)], batch_rows=7) as recording:  # several batches
            recording.complete(run_scan([str(log_set)], ScanConfig()))
        with record_scan(engine, [str(log_set)], batch_rows=7) as recording:
            spark_scan.store(recording)
    finally:
        engine.dispose()
    with sqlite3.connect(db) as conn:
        scans = conn.execute("SELECT id, status, findings_count, flows_count FROM scans ORDER BY id").fetchall()
        links = conn.execute("SELECT count(*) FROM flow_findings f JOIN flows w ON w.id = f.flow_id").fetchall()
        per_scan = conn.execute(
            "SELECT w.scan_id, count(*) FROM flow_findings f JOIN flows w ON w.id = f.flow_id GROUP BY w.scan_id"
        ).fetchall()
    assert [s[1] for s in scans] == ["complete", "complete"]
    assert scans[0][2:] == scans[1][2:]
    assert links[0][0] > 0 and per_scan[0][1] == per_scan[1][1]
    diff = auditor_cli("diff", "1", "2", "--db", str(db), "--format", "json")
    assert diff.returncode == 0, diff.stderr
    parts = json.loads(diff.stdout)
    for name in ("findings", "flows"):
        assert parts[name]["new"] == [] and parts[name]["fixed"] == [], name
    listed = auditor_cli("findings", "list", "--scan", "2", "--db", str(db), "--format", "json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == scans[1][2]


def test_an_interrupted_store_leaves_no_scan_marked_complete(spark_scan, log_set, tmp_path):
    from auditor.store import open_database, record_scan

    def interrupted_after(items, count):
        for number, item in enumerate(items):
            if number == count:
                raise KeyboardInterrupt
            yield item

    original = spark_scan.iter_findings
    spark_scan.iter_findings = lambda: interrupted_after(original(), 10)
    db = tmp_path / "findings.db"
    engine = open_database(str(db), [str(log_set)], write=True)
    try:
        with pytest.raises(KeyboardInterrupt), record_scan(engine, [str(log_set)], batch_rows=3) as recording:
            spark_scan.store(recording)
    finally:
        del spark_scan.iter_findings
        engine.dispose()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM scans").fetchall() == [("interrupted",)]
        assert conn.execute("SELECT count(*) FROM findings").fetchone() == (0,)


@pytest.mark.cli
def test_a_spark_scan_stopped_by_sigterm_exits_130_and_is_stored_interrupted_never_complete(key_env, log_set, tmp_path):
    """The whole command, as a scheduler stops it: the scan row is ``running`` from the start,
    and SIGTERM mid-job leaves it ``interrupted`` with no rows, never ``complete``."""
    db = tmp_path / "findings.db"
    exe = shutil.which("auditor", path=str(Path(sys.executable).parent)) or "auditor"
    command = [exe, "scan", "--engine", "spark", "--master", "local[1]", str(log_set), "--db", str(db), "--exit-zero"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while _scan_statuses(db) != ["running"] and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _scan_statuses(db) == ["running"], "the scan row should be there before the job runs"
        time.sleep(3)  # into the Spark job: the session is starting or the executors are detecting
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr[-2000:]
    assert _scan_statuses(db) == ["interrupted"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM findings").fetchone() == (0,)


def _scan_statuses(db: Path) -> list[str]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db) as conn:
            return [status for (status,) in conn.execute("SELECT status FROM scans ORDER BY id")]
    except sqlite3.OperationalError:  # the schema is being created
        return []


class _AlwaysFailingDetector:
    """A detector whose every call fails, as a worker out of memory would."""

    def detect_many(self, texts, batch_size=32):
        raise MemoryError

    def detect(self, text):
        raise MemoryError


def _always_failing(config):
    return _AlwaysFailingDetector()


def test_a_partition_that_keeps_failing_is_retried_by_spark_then_reported(spark, log_set):
    from pyspark import cloudpickle

    from auditor.spark import scan_logs

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import tests/
    result = scan_logs(spark, str(log_set / "mixed.jsonl"), make_detector=_always_failing)
    try:
        problems = [r for r in result.problems.collect() if r.kind == "partition_failed"]
        files = result.files.collect()
        totals = result.totals()
    finally:
        result.unpersist()
    assert problems and all(r.reason == "partition failed after 4 attempt(s): MemoryError" for r in problems)
    assert [f.failed_partitions for f in files] == [len(problems)]
    assert totals.findings == 0  # the job finished; the failed part is reported, not hidden


def test_engine_spark_without_pyspark_is_a_usage_error_naming_the_extra(tmp_path):

    env = {"PYTHONPATH": str(_hide_pyspark(tmp_path))}
    proc = auditor_cli("scan", "--engine", "spark", str(tmp_path), "--no-store", env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "auditor: error: --engine spark needs PySpark: pip install 'auditor[spark]'"


def _hide_pyspark(tmp_path: Path) -> Path:
    """A sitecustomize that makes ``pyspark`` unfindable, as if the extra were not installed."""
    folder = tmp_path / "hide"
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        "import importlib.abc, sys\n"
        "class _Hide(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pyspark' or name.startswith('pyspark.'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, _Hide())\n"
    )
    return folder


GATEWAY_FORMAT = (
    "formats:\n"
    "  - id: our_gateway\n"
    "    detect: [gw_request_id, payload]\n"
    "    content: [/payload/prompt]\n"
    "    url: [/upstream]\n"
    "metadata_keys: [billing_owner]\n"
)


def test_site_configuration_and_log_formats_travel_to_the_executors_as_data(spark, tmp_path):
    """A BAA on record and a site's own log format change the result the same way on Spark;
    the files are gone before the executors judge the flows, which have them as data."""
    from auditor.spark import scan_logs

    project = tmp_path / "project"
    logs = project / "logs"
    logs.mkdir(parents=True)
    (project / "auditor.toml").write_text(
        'log_formats = "our-proxy.yaml"\n\n[[agreements]]\nvendor = "openai"\nbaa = true\n', encoding="utf-8"
    )
    (project / "our-proxy.yaml").write_text(GATEWAY_FORMAT, encoding="utf-8")
    note = "Patient Maria Okafor, MRN 4471923, DOB 3/14/1961, admitted for CHF exacerbation."
    records = [
        {"gw_request_id": "r1", "upstream": "http://127.0.0.1:11434/api/chat", "payload": {"prompt": note}},
        {"model": "gpt-4o", "provider": "openai", "messages": [{"role": "user", "content": note}]},
    ]
    (logs / "gateway.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    config = ScanConfig(config_file=project / "auditor.toml")
    reference = run_scan([str(logs)], config)
    result = scan_logs(spark, str(logs), config)
    (project / "auditor.toml").unlink()
    (project / "our-proxy.yaml").unlink()
    try:
        ours = result.to_result()
    finally:
        result.unpersist()
    assert sorted(map(_flow_key, ours.flows)) == sorted(map(_flow_key, reference.flows))
    assert sorted(map(_finding_key, ours.findings)) == sorted(map(_finding_key, reference.findings))
    by_destination = {f.flow.destination.id: f for f in ours.flows}
    assert set(by_destination) == {"ollama", "openai"}  # the gateway record read by the site's format
    assert {f.location.pointer for f in ours.findings if f.location.record == 0} == {"/payload/prompt"}
    openai = by_destination["openai"].verdict
    assert openai.decision.value == "conditional" and not openai.fails("unmet")  # the BAA is on record


class Py4JNetworkError(Exception):
    """Stands for py4j's: what a signal that lands in py4j's socket read becomes."""


Py4JNetworkError.__module__ = "py4j.protocol"


class _NoSession:
    def stop(self):
        pass


def test_a_sigterm_that_py4j_turns_into_a_network_error_still_ends_the_scan_interrupted(monkeypatch, tmp_path, log_set):
    import auditor.spark
    from auditor.cli.spark import scan_on_spark

    def stopped_in_py4j(session, paths, config, input_format):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises here, as in a socket read
        except KeyboardInterrupt:
            raise Py4JNetworkError("Error while sending or receiving") from None
        raise AssertionError("SIGTERM did not interrupt")

    monkeypatch.setattr(auditor.spark, "spark_session", lambda master: _NoSession())
    monkeypatch.setattr(auditor.spark, "scan_logs", stopped_in_py4j)
    db = tmp_path / "findings.db"
    with pytest.raises(KeyboardInterrupt):  # the CLI's exit 130, not SparkJobError's exit 3
        scan_on_spark(
            [str(log_set)],
            ScanConfig(),
            out=None,
            fmt="json",
            db=str(db),
            store=True,
            master="local[1]",
            input_format="auto",
            exit_zero=True,
        )
    assert _scan_statuses(db) == ["interrupted"]
