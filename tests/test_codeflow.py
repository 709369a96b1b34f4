"""The code-flow scanner, one behaviour a test, over real files in a temporary project.

No spaCy here: literal findings are built as values where a test needs one.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from auditor.errors import ConfigError
from auditor.flows.python import code_flows, load_code_catalog
from auditor.flows.python.catalog import split_words
from auditor.model import Category, Decision, Finding, Location
from auditor.policy import load_policy
from auditor.siteconfig import parse_site_config


def scan(tmp_path: Path, files: dict[str, str], findings=(), site=None):
    """Write ``files`` under tmp_path and run the scanner and the real policy over them."""
    paths = []
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        paths.append((str(path), name))
    policy = load_policy(site)
    flows, skipped = code_flows(paths, tuple(findings), policy.catalog, policy.site)
    return [policy.assess(f) for f in flows], skipped


def test_phi_parameter_to_openai_without_baa_is_conditional_with_its_steps(tmp_path):
    flows, _ = scan(
        tmp_path,
        {
            "app.py": """
        from openai import OpenAI
        client = OpenAI()
        def summarize(patient):
            prompt = f"Summarize: {patient}"
            return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    """
        },
    )
    [item] = flows
    assert item.verdict.decision is Decision.CONDITIONAL
    assert item.flow.sink.call == "openai.chat.completions.create"
    assert item.flow.sink.location.symbol == "summarize"
    assert item.flow.destination.id == "openai" and "OPENAI_BASE_URL" in item.flow.destination.detail
    assert [(s.location.line, s.description) for s in item.flow.steps] == [
        (4, "parameter 'patient'"),
        (5, "assigned to 'prompt'"),
        (6, "sent by openai.chat.completions.create"),
    ]


def test_an_environment_default_resolves_and_says_which_variable_it_depends_on(tmp_path):
    flows, _ = scan(
        tmp_path,
        {
            "app.py": """
        import os
        from openai import OpenAI
        URL = os.environ.get("LLM_URL", "http://localhost:11434/v1")
        def ask(diagnosis):
            return OpenAI(base_url=URL).chat.completions.create(model="llama3", messages=[diagnosis])
    """
        },
    )
    [item] = flows
    assert (item.flow.destination.id, item.flow.destination.resolved_by) == ("ollama", "env_default")
    assert "$LLM_URL" in item.flow.destination.detail and item.verdict.decision is Decision.ALLOW


def test_an_environment_variable_without_default_is_an_unknown_destination(tmp_path):
    flows, _ = scan(
        tmp_path,
        {
            "app.py": """
        import os
        from openai import OpenAI
        client = OpenAI(base_url=os.environ["LLM_URL"])
        def ask(mrn):
            return client.chat.completions.create(model="x", messages=[mrn])
    """
        },
    )
    [item] = flows
    assert item.flow.destination.id == "unknown" and "$LLM_URL" in item.flow.destination.detail
    assert item.verdict.decision is Decision.LOCAL_ONLY


@pytest.mark.parametrize("name", ["patient_count", "ssn_valid", "has_diagnosis", "num_patients", "mrn_pattern"])
def test_counts_and_flags_named_after_data_are_not_sources(tmp_path, name):
    flows, _ = scan(
        tmp_path,
        {
            "app.py": f"""
        from openai import OpenAI
        def report({name}):
            return OpenAI().chat.completions.create(model="gpt-4o", messages=[str({name})])
    """
        },
    )
    [item] = flows
    assert item.flow.categories == () and item.verdict.decision is Decision.ALLOW


def test_words_are_split_from_snake_and_camel_case():
    assert split_words("clinicalNote_v2") == ("clinical", "note", "v", "2")
    vocabulary = load_code_catalog().vocabulary
    assert vocabulary.categories("patientRecords") == (Category.PHI,)
    assert vocabulary.categories("journal_entries") == (Category.FINANCIAL,)
    assert vocabulary.categories("export_controlled_drawings") == (Category.EXPORT_CONTROLLED,)
    assert vocabulary.categories("patient_count") == ()


def test_sql_reading_a_sensitive_table_is_a_source_once_executed(tmp_path):
    flows, _ = scan(
        tmp_path,
        {
            "job.py": """
        import anthropic
        def run(db):
            cur = db.cursor()
            cur.execute("SELECT * FROM diagnoses WHERE visit_date > ?", ("2024-01-01",))
            rows = cur.fetchall()
            return anthropic.Anthropic().messages.create(model="claude-3-5-haiku-latest", messages=[str(rows)])
    """
        },
    )
    [item] = flows
    assert [s.description for s in item.flow.sources] == ["SQL reading table 'diagnoses'"]


def test_data_crosses_modules_and_self_attributes(tmp_path):
    flows, _ = scan(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clients.py": """
            from openai import OpenAI
            class Bot:
                def __init__(self):
                    self.client = OpenAI(base_url="http://10.1.2.3:8000/v1")
                def send(self, text):
                    return self.client.chat.completions.create(model="m", messages=[text])
        """,
            "pkg/service.py": """
            from pkg.clients import Bot
            def handle(record):
                return Bot().send(record["clinical_note"])
        """,
        },
    )
    [item] = flows
    assert item.flow.destination.kind.value == "self_hosted" and item.flow.categories == (Category.PHI,)
    assert any("passed to Bot.send()" in s.description for s in item.flow.steps)


def test_a_sanitizer_is_recorded_and_policy_decides_what_it_is_worth(tmp_path):
    flows, _ = scan(
        tmp_path,
        {
            "app.py": """
        from openai import OpenAI
        from presidio_anonymizer import AnonymizerEngine
        engine = AnonymizerEngine()
        def summarize(clinical_note, results):
            clean = engine.anonymize(text=clinical_note, analyzer_results=results).text
            return OpenAI().chat.completions.create(model="gpt-4o", messages=[clean])
    """
        },
    )
    [item] = flows
    assert item.flow.sanitizers == ("presidio-anonymizer",)
    # A scrubber nobody vouched for is not de-identification: PHI rules still ask for a BAA.
    assert item.verdict.decision is Decision.CONDITIONAL
    assert [o.rule_id for o in item.verdict.trail] == ["HIPAA-DEID-002"]


def test_site_configuration_adds_sinks_and_sanitizers(tmp_path):
    site = parse_site_config(
        {
            "sinks": [{"id": "internal-gateway", "calls": ["app.gateway.send"], "destination": "openai"}],
            "sanitizers": ["app.phi.deidentify"],
        }
    )
    flows, _ = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/phi.py": "def deidentify(text):\n    return text\n",
            "app/gateway.py": "def send(text):\n    pass\n",
            "app/main.py": """
            from app import gateway
            from app.phi import deidentify
            def run(patient):
                gateway.send(patient)
                gateway.send(deidentify(patient))
        """,
        },
        site=site,
    )
    raw, cleaned = sorted(flows, key=lambda f: f.flow.sink.location.line)
    assert raw.flow.destination.id == "openai" and raw.verdict.decision is Decision.CONDITIONAL
    assert cleaned.flow.sanitizers == ("app.phi.deidentify",)
    # The site names it as its de-identifier: Safe Harbor, so the text is not PHI any more.
    assert cleaned.verdict.decision is Decision.ALLOW
    assert [o.rule_id for o in cleaned.verdict.trail] == ["HIPAA-DEID-001"]


def test_a_bad_site_sink_is_a_configuration_error_naming_the_field():
    site = parse_site_config({"sinks": [{"id": "x", "calls": "not-a-list"}]})
    with pytest.raises(ConfigError, match="field calls"):
        load_code_catalog(site)


def test_inline_suppression_with_a_reason_waives_the_named_rule(tmp_path):
    flows, skipped = scan(
        tmp_path,
        {
            "app.py": """
        from openai import OpenAI
        def summarize(patient):
            return OpenAI().responses.create(input=patient)  # auditor: ignore[HIPAA-BAA-001] synthetic data only
    """
        },
    )
    [item] = flows
    assert item.flow.suppressions[0].rule_ids == ("HIPAA-BAA-001",)
    assert item.flow.suppressions[0].reason == "synthetic data only"
    assert item.verdict.waived and not item.verdict.fails("unmet") and skipped == []


def test_inline_suppression_without_a_reason_waives_nothing_and_is_reported(tmp_path):
    flows, skipped = scan(
        tmp_path,
        {
            "app.py": """
        from openai import OpenAI
        def summarize(patient):
            return OpenAI().responses.create(input=patient)  # auditor: ignore[HIPAA-BAA-001]
    """
        },
    )
    [item] = flows
    assert not item.verdict.waived and item.verdict.fails("unmet")
    assert [(s.path, s.line) for s in skipped] == [("app.py", 4)] and "without a reason" in skipped[0].reason


def test_a_literal_finding_flows_to_the_sink_it_reaches(tmp_path):
    finding = Finding(
        "auditor.MRN", "MEDICAL_RECORD_NUMBER", Category.PHI, 0.9, Location("app.py", 3, 21), "MRN ******34", "f" * 64
    )
    flows, _ = scan(
        tmp_path,
        {
            "app.py": """
        from openai import OpenAI
        NOTE = "Patient MRN 00917734 seen today"
        def main():
            return OpenAI().responses.create(model="gpt-4o", input=NOTE)
    """
        },
        findings=[finding],
    )
    [item] = flows
    assert item.flow.findings == (finding,) and item.flow.sources == ()


def test_decorated_functions_are_traced_to_langsmith(tmp_path):
    flows, _ = scan(
        tmp_path,
        {
            "app.py": """
        from langsmith import traceable
        @traceable
        def answer(patient_question):
            return patient_question.upper()
    """
        },
    )
    [item] = flows
    assert item.flow.sink.call == "langsmith.traceable" and item.flow.categories == (Category.PHI,)
    assert item.flow.destination.id == "langsmith" and item.flow.destination.host == "api.smith.langchain.com"


def test_http_posts_are_sinks_only_when_the_host_is_an_ai_endpoint(tmp_path):
    flows, _ = scan(
        tmp_path,
        {
            "app.py": """
        import requests
        def send(patient):
            requests.post("https://records.example.org/api", json=patient)
            requests.post("https://api.openai.com/v1/chat/completions", json={"messages": [patient]})
    """
        },
    )
    [item] = flows
    assert item.flow.sink.location.line == 5 and item.flow.destination.id == "openai"


def test_broken_files_are_skipped_with_the_reason_and_the_scan_goes_on(tmp_path):
    (tmp_path / "latin1.py").write_bytes(b"x = '\xe9'\n")
    flows, skipped = scan(
        tmp_path,
        {
            "broken.py": "def f(:\n",
            "ok.py": "import ollama\ndef f(dob):\n    ollama.generate(model='llama3', prompt=str(dob))\n",
        },
    )
    policy = load_policy()
    more, skipped_latin = code_flows([(str(tmp_path / "latin1.py"), "latin1.py")], (), policy.catalog)
    assert [f.flow.destination.id for f in flows] == ["ollama"]
    assert "syntax error" in skipped[0].reason and skipped[0].path == "broken.py"
    assert more == [] and "not UTF-8" in skipped_latin[0].reason


def test_dynamic_code_does_not_crash_the_scan(tmp_path):
    flows, skipped = scan(
        tmp_path,
        {
            "dyn.py": """
        import importlib
        def f(n):
            return f(n - 1) if n else getattr(importlib.import_module("openai"), "OpenAI")()
        class A(A): pass
        def g(*args, **kwargs):
            exec("x = 1")
            return [y for x in g(*args) for y in x]
        x = f(3); x.chat.completions.create(messages=[g()])
    """
        },
    )
    assert skipped == []
