"""Request logs read by their schema: content is what was sent to the model, the rest is metadata.

The fixture is LiteLLM's own standard logging payload, written by the real package
(tests/fixtures/logs/make_litellm_log.py): a call to Ollama on localhost, one to an Azure
OpenAI deployment and one to OpenAI.
"""

from __future__ import annotations

import shutil
from pathlib import Path

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
