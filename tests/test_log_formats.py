"""Request logs read by their schema: content is what was sent to the model, the rest is metadata.

The fixture is LiteLLM's own standard logging payload, written by the real package
(tests/fixtures/logs/make_litellm_log.py): a call to Ollama on localhost, one to an Azure
OpenAI deployment and one to OpenAI.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from support.cli import auditor_cli

import auditor
from auditor.config import ScanConfig

LOGS = Path(__file__).parent / "fixtures" / "logs"


def _scan(tmp_path: Path):
    shutil.copy(LOGS / "litellm_standard_logging.jsonl", tmp_path / "proxy.jsonl")
    return auditor.scan([str(tmp_path)], ScanConfig())


def test_litellm_destinations_come_from_provider_and_api_base(tmp_path):
    result = _scan(tmp_path)
    by_record = {item.flow.sink.location.record: item for item in result.flows}
    assert by_record[0].flow.destination.id == "ollama"
    assert by_record[0].flow.destination.kind.value == "local"
    assert by_record[0].verdict.decision.value == "allow"  # PHI to a model on this machine
    assert by_record[1].flow.destination.id == "azure_openai"
    assert by_record[1].flow.destination.host == "contoso.openai.azure.com"
    assert by_record[2].flow.destination.id == "openai"


def test_only_the_messages_of_a_litellm_record_are_content(tmp_path):
    result = _scan(tmp_path)
    pointers = {f.location.pointer for f in result.findings}
    assert pointers and all(p.startswith("/messages/") for p in pointers), pointers
    # The third call names nobody; its `user` (an end-user id) and the key metadata are not content.
    assert not [f for f in result.findings if f.location.record == 2]


def _write(path: Path, records: list[dict]) -> None:
    import json

    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


NOTE = "Patient Zelda Quixote, MRN 00482913, was admitted with chest pain."


def test_an_anthropic_request_body_is_read_by_its_schema(tmp_path):
    _write(
        tmp_path / "claude.jsonl",
        [
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 512,
                "system": NOTE,
                "messages": [{"role": "user", "content": "Summarise for the chart."}],
                "stop_sequences": ["Zelda Quixote"],  # sent, but no prompt: not content
            }
        ],
    )
    result = auditor.scan([str(tmp_path)], ScanConfig())
    assert {f.location.pointer for f in result.findings} == {"/system"}
    [flow] = result.flows
    assert flow.flow.destination.id == "anthropic"


def test_a_site_extends_the_log_formats_with_its_own_file(tmp_path):
    (tmp_path / "auditor.toml").write_text('log_formats = "our-proxy.yaml"\n', encoding="utf-8")
    (tmp_path / "our-proxy.yaml").write_text(
        "formats:\n"
        "  - id: our_gateway\n"
        "    detect: [gw_request_id, payload]\n"
        "    content: [/payload/prompt]\n"
        "    url: [/upstream]\n"
        "metadata_keys: [billing_owner]\n",
        encoding="utf-8",
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    _write(
        logs / "gateway.jsonl",
        [
            {
                "gw_request_id": "r1",
                "upstream": "http://127.0.0.1:11434/api/chat",
                "payload": {"prompt": NOTE, "caller": "Bart Fennimore"},
            },
            {"id": 7, "prompt": "Hello", "billing_owner": "Bart Fennimore"},  # generic record
        ],
    )
    result = auditor.scan([str(logs)], ScanConfig(config_file=tmp_path / "auditor.toml"))
    assert {(f.location.record, f.location.pointer) for f in result.findings} == {(0, "/payload/prompt")}
    assert [item.flow.destination.id for item in result.flows] == ["ollama"]


def test_a_bad_site_log_formats_file_is_a_usage_error(tmp_path):
    (tmp_path / "auditor.toml").write_text('log_formats = "formats.yaml"\n', encoding="utf-8")
    (tmp_path / "formats.yaml").write_text(
        "formats:\n  - id: x\n    detect: [a]\n    contnet: [/b]\n", encoding="utf-8"
    )
    (tmp_path / "a.jsonl").write_text('{"a": 1}\n', encoding="utf-8")
    done = auditor_cli("scan", str(tmp_path), "--no-store", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "formats[1]" in done.stderr and "contnet" in done.stderr
