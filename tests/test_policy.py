"""The policy layer as a specification: real text, real detection, real packs, one verdict each."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from support.cli import auditor_cli

from auditor.findings import findings_from_unit
from auditor.fingerprint import load_key
from auditor.model import Decision, Flow, FlowKind, Location, Sink
from auditor.policy import load_policy
from auditor.siteconfig import parse_site_config
from auditor.sources.base import Piece, TextUnit

PHI = "Patient Maria Okafor, MRN 00482913, DOB 04/17/1958, admitted with community-acquired pneumonia (J18.9)."
ITAR = (
    "ITAR CONTROLLED: This document contains technical data whose export is restricted by 22 CFR 120-130. "
    "USML Category XIX."
)
EAR99 = "Export classification: ECCN EAR99. The bracket drawing may be shared with the supplier."
EARNINGS = (
    "CONFIDENTIAL - MNPI. Draft Q3 earnings release, not yet released: revenue of $412.7 million, "
    "up 9% year over year; diluted EPS of $1.42."
)
HARMLESS = "Write a haiku about continuous integration pipelines that finish before lunch."

BAA_WITH_OPENAI = {"agreements": [{"vendor": "openai", "baa": True, "signed": "2025-01-15"}]}


@pytest.fixture(scope="module")
def judge(detector):
    """``judge(text, destination, site_table)`` -> the Verdict, through real detection and packs."""

    def run(text: str, destination: str, site: dict | None = None, waivers: Path | None = None, today=None):
        policy = load_policy(parse_site_config(site or {}), waivers, today=today)
        target = _destination(destination, policy)
        unit = TextUnit(text, (Piece(0, len(text), lambda offset: Location("prompt.txt", 1, offset + 1)),))
        findings = findings_from_unit(unit, detector.detect(text), load_key(), 0.4)
        flow = Flow(
            FlowKind.RECORD, Sink(Location("prompt.txt", 1, 1, record=0), "request record"), target, tuple(findings)
        )
        return policy.assess(flow).verdict

    return run


def _destination(text, policy):
    from auditor.checking import resolve_destination

    return resolve_destination(text, policy)


CASES = [
    # (case, text, destination, site, decision, fails under unmet, fails under conditional)
    ("PHI to OpenAI with a BAA on record", PHI, "openai", BAA_WITH_OPENAI, Decision.CONDITIONAL, False, True),
    ("PHI to OpenAI without a BAA", PHI, "openai", {}, Decision.CONDITIONAL, True, True),
    ("PHI to a vendor that offers no BAA", PHI, "mistral", {}, Decision.LOCAL_ONLY, True, True),
    (
        "PHI to the Gemini API",
        PHI,
        "https://generativelanguage.googleapis.com/v1beta",
        {},
        Decision.LOCAL_ONLY,
        True,
        True,
    ),
    ("PHI to Ollama on localhost", PHI, "http://localhost:11434/api/chat", {}, Decision.ALLOW, False, False),
    ("PHI to an unresolved host", PHI, "https://llm.example.net/v1", {}, Decision.LOCAL_ONLY, True, True),
    (
        "ITAR marking to Azure OpenAI",
        ITAR,
        "https://contoso.openai.azure.com/openai",
        {},
        Decision.LOCAL_ONLY,
        True,
        True,
    ),
    ("ITAR marking to a self-hosted vLLM", ITAR, "http://10.20.0.5:8000/v1", {}, Decision.ALLOW, False, False),
    ("EAR99 to OpenAI", EAR99, "openai", {}, Decision.ALLOW, False, False),
    ("draft earnings to Anthropic", EARNINGS, "anthropic", {}, Decision.LOCAL_ONLY, True, True),
    (
        "draft earnings to a vendor under vendor management",
        EARNINGS,
        "anthropic",
        {"agreements": [{"vendor": "anthropic", "vendor_management": True, "zdr": True}]},
        Decision.CONDITIONAL,
        False,
        True,
    ),
    ("harmless text to OpenAI", HARMLESS, "openai", {}, Decision.ALLOW, False, False),
    ("harmless text to an unknown host", HARMLESS, "https://llm.example.net/v1", {}, Decision.ALLOW, False, False),
    ("harmless text to Ollama", HARMLESS, "ollama/llama3", {}, Decision.ALLOW, False, False),
]


@pytest.mark.parametrize(
    ("text", "destination", "site", "decision", "fails_unmet", "fails_conditional"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_verdict_table(judge, text, destination, site, decision, fails_unmet, fails_conditional):
    verdict = judge(text, destination, site)
    assert verdict.decision is decision, [(o.rule_id, o.decision) for o in verdict.trail]
    assert verdict.fails("unmet") is fails_unmet
    assert verdict.fails("conditional") is fails_conditional
    assert verdict.fails("local_only") is (decision is Decision.LOCAL_ONLY)


def test_phi_to_openai_with_baa_marks_the_baa_condition_met(judge):
    verdict = judge(PHI, "openai", BAA_WITH_OPENAI)
    (outcome,) = [o for o in verdict.trail if o.rule_id == "HIPAA-BAA-001"]
    conditions = {c.id: c.met for c in outcome.conditions}
    assert conditions == {"baa_in_force": True, "minimum_necessary": None, "transmission_security": None}
    assert outcome.citations[:2] == ("45 CFR 164.502(e)(1)", "45 CFR 164.504(e)")


def test_a_baa_signed_in_the_future_is_not_in_force(judge):
    later = (date.today() + timedelta(days=30)).isoformat()
    verdict = judge(PHI, "openai", {"agreements": [{"vendor": "openai", "baa": True, "signed": later}]})
    assert verdict.fails("unmet")


def test_every_verdict_explains_itself(judge):
    verdict = judge(ITAR, "https://contoso.openai.azure.com/openai", {})
    (outcome,) = [o for o in verdict.trail if o.rule_id == "ITAR-EXPORT-001"]
    assert outcome.pack == "itar@1.0.0" and outcome.framework == "ITAR" and outcome.source == "regulation"
    assert "22 CFR 120.33 (technical data)" in outcome.citations
    assert any(m.startswith("EXPORT_CONTROLLED: ITAR_MARKING") for m in outcome.matched)
    assert verdict.remediation and "120.54(a)(5)" in verdict.remediation[0]


def test_absence_of_identifiers_is_never_called_deidentification(judge):
    verdict = judge(HARMLESS, "openai", {})
    assert verdict.trail == () and all(o.rule_id != "HIPAA-DEID-001" for o in verdict.trail)


def test_sox_rules_are_labelled_organisation_policy(judge):
    verdict = judge(EARNINGS, "anthropic", {})
    assert {o.source for o in verdict.trail if o.framework == "SOX"} == {"org_policy"}


# --- Waivers ---------------------------------------------------------------------------------


def _waivers(tmp_path: Path, expires: str, **cover) -> Path:
    path = tmp_path / "auditor-waivers.yaml"
    entry = {
        "id": "W-1",
        "rule": "SOX-ICFR-001",
        "justification": "Board-approved pilot with the vendor's enterprise tier",
        "approver": "CFO office (J. Rivera)",
        "expires": expires,
        **cover,
    }
    path.write_text(json.dumps({"waivers": [entry]}))  # JSON is YAML
    return path


def test_a_waiver_applies_until_its_expiry_and_not_after(judge, tmp_path):
    waivers = _waivers(tmp_path, "2026-12-31", path="prompt.txt")
    before = judge(EARNINGS, "anthropic", {}, waivers, today=date(2026, 12, 31))
    assert before.decision is Decision.LOCAL_ONLY  # a waived flow keeps its verdict ...
    assert before.waived and not before.fails("unmet")  # ... and its waiver, and passes
    assert [o.waiver for o in before.trail if o.rule_id == "SOX-ICFR-001"] == ["W-1"]
    after = judge(EARNINGS, "anthropic", {}, waivers, today=date(2027, 1, 1))
    assert not after.waived and after.fails("unmet")
    policy = load_policy(parse_site_config({}), waivers, today=date(2027, 1, 1))
    assert [(w.id, w.expired) for w in policy.waiver_statuses()] == [("W-1", True)]


def test_a_waiver_by_fingerprint_covers_only_that_value(judge, tmp_path):
    verdict = judge(EARNINGS, "anthropic", {})
    waivers = _waivers(tmp_path, "2099-01-01", fingerprint="0" * 64)
    assert not judge(EARNINGS, "anthropic", {}, waivers).waived
    assert verdict.fails("unmet")


@pytest.mark.parametrize("missing", ["approver", "expires"])
def test_a_waiver_without_approver_or_expiry_is_rejected(tmp_path, missing):
    path = _waivers(tmp_path, "2099-01-01", path="*")
    data = json.loads(path.read_text())
    del data["waivers"][0][missing]
    path.write_text(json.dumps(data))
    out = auditor_cli("scan", str(tmp_path), "--waivers", str(path))
    assert out.returncode == 2
    assert out.stderr.strip() == f"auditor: error: {path}: waiver W-1: {missing!r} is required"


# --- Packs and configuration errors ----------------------------------------------------------

GOOD_RULE = {
    "id": "ACME-GEN-001",
    "title": "No customer lists to external models",
    "requirement_refs": ["ACME Information Handling Standard §4.2"],
    "source": "org_policy",
    "data": {"categories": ["PII"]},
    "destination": {"kinds": ["external"]},
    "decision": "local_only",
    "remediation": "Use the internal model gateway.",
}


def _pack(tmp_path: Path, **rule_changes) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    rule = {**GOOD_RULE, **rule_changes}
    pack = {"id": "acme", "version": "1.0.0", "title": "ACME", "framework": "ACME", "rules": [rule]}
    (folder / "acme.yaml").write_text(json.dumps(pack))
    return folder


def test_a_malformed_pack_exits_2_naming_file_rule_and_field(tmp_path):
    folder = _pack(tmp_path, decision="forbid")
    out = auditor_cli("rules", "validate", str(folder))
    assert out.returncode == 2
    assert out.stderr.strip() == (
        f"auditor: error: {folder / 'acme.yaml'}: rule ACME-GEN-001, field decision: "
        "'forbid' is not one of allow, conditional, local_only"
    )
    scan = auditor_cli("scan", str(tmp_path), "--rules", str(folder))
    assert scan.returncode == 2 and "rule ACME-GEN-001, field decision" in scan.stderr
    assert "Traceback" not in scan.stderr


def test_a_pack_missing_a_citation_is_rejected(tmp_path):
    folder = _pack(tmp_path, requirement_refs=[])
    out = auditor_cli("rules", "validate", str(folder))
    assert out.returncode == 2 and "rule ACME-GEN-001, field requirement_refs" in out.stderr


def test_an_organisation_pack_cannot_redefine_a_shipped_rule(tmp_path):
    folder = _pack(tmp_path, id="HIPAA-BAA-001")
    out = auditor_cli("rules", "list", "--rules", str(folder))
    assert out.returncode == 2 and "rule HIPAA-BAA-001: field id: already defined in" in out.stderr


def test_the_example_organisation_pack_tightens_the_shipped_rules(detector):
    org_rules = Path(__file__).resolve().parent.parent / "examples" / "org-rules"
    policy = load_policy(parse_site_config(BAA_WITH_OPENAI), rule_dirs=(org_rules,))
    unit = TextUnit(PHI, (Piece(0, len(PHI), lambda offset: Location("p.txt", 1, offset + 1)),))
    findings = tuple(findings_from_unit(unit, detector.detect(PHI), load_key(), 0.4))
    flow = Flow(
        FlowKind.RECORD, Sink(Location("p.txt", 1, 1), "request record"), _destination("openai", policy), findings
    )
    verdict = policy.assess(flow).verdict
    assert verdict.decision is Decision.LOCAL_ONLY  # the BAA satisfies HIPAA, not ACME's own policy
    assert {o.rule_id: o.source for o in verdict.trail} == {"ACME-AI-001": "org_policy", "HIPAA-BAA-001": "regulation"}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('fail_on = "sometimes"', "fail_on must be one of unmet, conditional, local_only, not 'sometimes'"),
        ("retries = 3", "unknown key 'retries'"),
        ('approved_hosts = "llm.internal"', "approved_hosts must be a list, not a string"),
        ("[[agreements]]\nbaa = true", "agreements[0]: vendor is required"),
        ('[[agreements]]\nvendor = "openai"\nbaa = "yes"', "agreements[0]: baa must be true or false, not a string"),
    ],
)
def test_a_bad_site_configuration_is_one_line_and_exit_2(tmp_path, toml, message):
    (tmp_path / "auditor.toml").write_text(toml + "\n")
    (tmp_path / "note.txt").write_text("nothing here\n")
    out = auditor_cli("scan", str(tmp_path))
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and message in out.stderr, out.stderr


# --- The scan command ------------------------------------------------------------------------

LOG = [
    {"provider": "openai", "url": "https://api.openai.com/v1/chat/completions", "model": "gpt-4o",
     "messages": [{"role": "user", "content": f"Summarise: {PHI}"}]},
    {"provider": "ollama", "url": "http://localhost:11434/api/chat", "model": "llama3.1:8b",
     "messages": [{"role": "user", "content": f"Summarise: {PHI}"}]},
    {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": HARMLESS}]},
]  # fmt: skip


@pytest.fixture
def project(tmp_path):
    (tmp_path / ".git").mkdir()  # the project root
    (tmp_path / "requests.jsonl").write_text("\n".join(json.dumps(r) for r in LOG) + "\n")
    return tmp_path


def test_scan_judges_every_request_record_and_exits_1_on_unmet_conditions(project):
    out = auditor_cli("scan", str(project), "--format", "json")
    assert out.returncode == 1, out.stderr
    flows = {f["sink"]["location"]["record"]: f for f in json.loads(out.stdout)["flows"]}
    assert flows[0]["destination"]["id"] == "openai" and flows[0]["verdict"]["decision"] == "conditional"
    assert flows[0]["verdict"]["fails"] is True
    assert flows[1]["destination"]["kind"] == "local" and flows[1]["verdict"]["decision"] == "allow"
    assert flows[2]["destination"] == {
        "id": "openai", "kind": "external", "resolved_by": "model", "name": "OpenAI API",
        "host": "api.openai.com", "detail": "model 'gpt-4o-mini' is named like OpenAI API models (a guess)",
    }  # fmt: skip
    assert flows[2]["verdict"]["decision"] == "allow"


def test_a_baa_in_the_site_configuration_lets_the_scan_pass(project):
    (project / "auditor.toml").write_text('[[agreements]]\nvendor = "openai"\nbaa = true\nsigned = 2025-01-15\n')
    assert auditor_cli("scan", str(project), "--format", "json").returncode == 0
    assert auditor_cli("scan", str(project), "--format", "json", "--fail-on", "conditional").returncode == 1


def test_exit_zero_reports_but_does_not_fail(project):
    out = auditor_cli("scan", str(project), "--format", "table", "--exit-zero")
    assert out.returncode == 0
    assert "HIPAA-BAA-001 unmet: baa_in_force" in out.stdout
    assert "3 flows: 0 local_only, 1 conditional, 2 allow; 1 at or above fail_on=unmet (marked !)" in out.stdout


def test_pyproject_tool_auditor_is_the_site_configuration(project):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.auditor]\nfail_on = "local_only"\n')
    assert auditor_cli("scan", str(project), "--format", "json").returncode == 0


def test_destinations_show_prints_facts_with_their_dates():
    out = auditor_cli("destinations", "show", "gemini")
    assert out.returncode == 0
    assert "baa_offered: no (as of 2025-06-30)" in out.stdout


def test_rules_validate_accepts_the_shipped_packs():
    out = auditor_cli("rules", "validate")
    assert out.returncode == 0 and "hipaa@1.0.0" in out.stdout and "destination catalog" in out.stdout
