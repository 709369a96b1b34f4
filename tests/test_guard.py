"""``auditor.guard`` against two OpenAI-compatible servers on 127.0.0.1, with the real ``openai`` client.

The "external" server stands for the OpenAI API: the site configuration names its address as
one of OpenAI's hosts, so the catalog resolves it as ``openai`` (external, BAA offered, none on
record). The "local" one is the site's own model server on ``localhost``.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import socket

import openai
import pytest
from sqlalchemy import create_engine, select, text

import auditor
from auditor.config import ScanConfig
from auditor.runtime import PolicyViolation, RouteUnavailable
from auditor.store import tables as t
from bench.fake_openai import FakeOpenAI

PHI = "Summarise for the discharge letter: Patient Maria Okafor, MRN 4471923, admitted to Mercy Hospital with CHF."
ITAR = "Rewrite this ITAR-controlled technical data for the turbine blade cooling design, USML Category XIX(f)."
HARMLESS = "What is the capital of France?"
RAW_VALUES = ("Okafor", "4471923", "Maria")
_SITES = itertools.count()


@pytest.fixture
def servers():
    with FakeOpenAI("external") as external, FakeOpenAI("local") as local:
        yield external, local


def _site(tmp_path, external, local_url: str | None, on_unmet: str = "reroute", extra: str = "") -> ScanConfig:
    routing = f'local_base_url = "{local_url}"\nmodel_map = {{ "*" = "llama3" }}\n' if local_url else ""
    # one file per configuration: the judge caches a site's policy by its file
    folder = tmp_path / f"site-{next(_SITES)}"
    folder.mkdir()
    config = folder / "auditor.toml"
    config.write_text(
        f'[destinations.openai]\nhosts = ["api.openai.com", "127.0.0.1:{external.port}"]\n\n'
        f'[routing]\n{routing}on_unmet = "{on_unmet}"\ntimeout_seconds = 5\n{extra}'
    )
    return ScanConfig(config_file=config)


def _client(external, **kwargs):
    return openai.OpenAI(base_url=external.base_url, api_key="test-key", max_retries=0, **kwargs)


def _local_url(local) -> str:
    return f"http://localhost:{local.port}/v1"


def _ask(client, content: str, **kwargs):
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": content}], **kwargs)


def test_phi_with_no_baa_is_rerouted_to_the_local_model(tmp_path, servers):
    external, local = servers
    client = auditor.guard(_client(external), config=_site(tmp_path, external, _local_url(local)), db=False)
    answer = _ask(client, PHI)
    assert answer.choices[0].message.content == "local answered llama3"
    assert external.requests == []
    assert local.requests[0]["body"]["model"] == "llama3"


def test_harmless_text_goes_out_to_the_destination_the_client_named(tmp_path, servers):
    external, local = servers
    client = auditor.guard(_client(external), config=_site(tmp_path, external, _local_url(local)), db=False)
    answer = _ask(client, HARMLESS)
    assert answer.choices[0].message.content == "external answered gpt-4o"
    assert local.requests == [] and len(external.requests) == 1


def test_itar_with_no_local_route_raises_policy_violation_and_nothing_leaves(tmp_path, servers):
    external, local = servers
    client = auditor.guard(_client(external), config=_site(tmp_path, external, None), db=False)
    with pytest.raises(PolicyViolation) as raised:
        _ask(client, ITAR)
    assert raised.value.rule_id.startswith("ITAR-") and raised.value.decision == "local_only"
    assert raised.value.fix and "no local route" in str(raised.value)
    assert not any(value in str(raised.value) for value in ("turbine", "XIX(f)"))
    assert external.requests == [] and local.requests == []


def test_streaming_passes_through_both_ways(tmp_path, servers):
    external, local = servers
    client = auditor.guard(_client(external), config=_site(tmp_path, external, _local_url(local)), db=False)
    out = "".join(
        chunk.choices[0].delta.content or "" for chunk in _ask(client, HARMLESS, stream=True) if chunk.choices
    )
    assert out == "external answered gpt-4o"
    rerouted = "".join(c.choices[0].delta.content or "" for c in _ask(client, PHI, stream=True) if c.choices)
    assert rerouted == "local answered llama3"
    assert len(external.requests) == 1 and len(local.requests) == 1


def test_the_async_client_is_guarded_too(tmp_path, servers):
    external, local = servers
    config = _site(tmp_path, external, _local_url(local))
    client = auditor.guard(
        openai.AsyncOpenAI(base_url=external.base_url, api_key="k", max_retries=0), config=config, db=False
    )

    async def run():
        first = await client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": PHI}])
        stream = await client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": HARMLESS}], stream=True
        )
        pieces = [c.choices[0].delta.content or "" async for c in stream if c.choices]
        return first.choices[0].message.content, "".join(pieces)

    assert asyncio.run(run()) == ("local answered llama3", "external answered gpt-4o")
    assert len(external.requests) == 1 and external.requests[0]["body"]["messages"][0]["content"] == HARMLESS


def test_stored_runtime_flows_hold_no_raw_value_and_carry_tokens_and_cost(tmp_path, servers):
    external, local = servers
    db = tmp_path / "findings.db"
    client = auditor.guard(_client(external), config=_site(tmp_path, external, _local_url(local)), db=str(db))
    _ask(client, PHI)
    _ask(client, HARMLESS)
    strict = auditor.guard(_client(external), config=_site(tmp_path, external, None), db=str(db))
    with pytest.raises(PolicyViolation):  # no local route: ITAR is refused, and the refusal stored
        _ask(strict, ITAR)
    strict.auditor_guard.flush()
    client.auditor_guard.flush()
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        flows = conn.execute(select(t.Flow).order_by(t.Flow.id)).mappings().all()
        dump = "\n".join(
            str(tuple(row))
            for table in ("scans", "findings", "flows", "flow_rules", "flow_findings")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        )
        statuses = {row[0] for row in conn.execute(text("SELECT status FROM scans"))}
    engine.dispose()
    assert not any(value in dump for value in RAW_VALUES)
    assert statuses == {"runtime"}  # one journal per guarded client
    phi, harmless = flows[0], flows[1]
    assert phi["kind"] == "runtime" and phi["action"] == "reroute" and phi["routed_to"] == "local"
    assert phi["destination"] == "openai" and phi["verdict"] == "conditional" and "PHI" in phi["categories"]
    assert harmless["action"] == "send" and harmless["verdict"] == "allow"
    # tokens as the server counted them; cost from rules/prices.yaml (gpt-4o: $0.0025 in, $0.01 out per 1K)
    assert harmless["tokens_estimated"] is False or harmless["tokens_estimated"] == 0
    prompt = harmless["input_tokens"]
    assert harmless["output_tokens"] == 7
    assert float(harmless["cost"]) == pytest.approx((prompt * 0.0025 + 7 * 0.01) / 1000)
    assert float(phi["cost"]) == pytest.approx((phi["input_tokens"] + 7) * 0.0003 / 1000)  # self-hosted assumption
    blocked = flows[2]
    assert blocked["action"] == "block" and blocked["verdict"] == "local_only" and float(blocked["cost"]) == 0


def test_redact_then_send_replaces_the_values_before_they_leave(tmp_path, servers):
    external, local = servers
    client = auditor.guard(_client(external), config=_site(tmp_path, external, None, on_unmet="redact"), db=False)
    _ask(client, PHI)
    sent = external.requests[0]["body"]["messages"][0]["content"]
    assert "Okafor" not in sent and "4471923" not in sent
    assert "<PERSON>" in sent and "<MEDICAL_RECORD_NUMBER>" in sent
    assert local.requests == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_local_route_that_is_down_fails_closed_for_data_that_must_stay_local(tmp_path, servers):
    external, _ = servers
    config = _site(tmp_path, external, f"http://localhost:{_closed_port()}/v1")
    client = auditor.guard(_client(external), config=config, db=False)
    with pytest.raises(RouteUnavailable, match="failed closed"):
        _ask(client, ITAR)
    assert external.requests == []


def test_an_upstream_returning_garbage_is_reported_and_not_sent_elsewhere(tmp_path):
    with FakeOpenAI("external", mode="garbage") as external, FakeOpenAI("local") as local:
        client = auditor.guard(_client(external), config=_site(tmp_path, external, _local_url(local)), db=False)
        with pytest.raises(RouteUnavailable, match="not sent elsewhere"):
            _ask(client, HARMLESS)
        assert local.requests == [] and len(external.requests) == 1


def test_an_upstream_that_times_out_is_reported_and_not_sent_elsewhere(tmp_path):
    with FakeOpenAI("external", delay=3) as external, FakeOpenAI("local") as local:
        client = auditor.guard(
            _client(external, timeout=0.5), config=_site(tmp_path, external, _local_url(local)), db=False
        )
        with pytest.raises(RouteUnavailable, match="APITimeoutError"):
            _ask(client, HARMLESS)
        assert local.requests == []


def test_other_calls_pass_through_unjudged_and_embeddings_are_judged(tmp_path, servers):
    external, local = servers
    client = auditor.guard(_client(external), config=_site(tmp_path, external, _local_url(local)), db=False)
    assert client.models.list().data[0].owned_by == "external"
    client.embeddings.create(model="text-embedding-3-small", input=[PHI])
    assert external.requests == [] and local.requests[0]["path"].endswith("/embeddings")


def _anthropic_guard(tmp_path, external, local_url: str | None, asynchronous: bool = False, db=False, routing=""):
    anthropic = pytest.importorskip("anthropic")
    folder = tmp_path / f"anthropic-site-{next(_SITES)}"
    folder.mkdir()
    if local_url:
        routing += f'local_base_url = "{local_url}"\nmodel_map = {{ "*" = "llama3" }}\n'
    (folder / "auditor.toml").write_text(
        f'[destinations.anthropic]\nhosts = ["api.anthropic.com", "127.0.0.1:{external.port}"]\n\n'
        f"[routing]\n{routing}timeout_seconds = 5\n"
    )
    kind = anthropic.AsyncAnthropic if asynchronous else anthropic.Anthropic
    raw = kind(base_url=f"http://127.0.0.1:{external.port}", api_key="k", max_retries=0)
    return auditor.guard(raw, config=ScanConfig(config_file=folder / "auditor.toml"), db=db)


def _claude_request(content: str, **kwargs):
    return {
        "model": "claude-3-5-haiku-latest",
        "max_tokens": 50,
        "messages": [{"role": "user", "content": content}],
    } | kwargs


def _claude(client, content: str, **kwargs):
    return client.messages.create(**_claude_request(content, **kwargs))


def test_an_anthropic_client_with_phi_and_no_baa_is_rerouted_to_the_local_model(tmp_path, servers):
    external, local = servers
    client = _anthropic_guard(tmp_path, external, _local_url(local))
    assert _claude(client, HARMLESS).content[0].text == "external answered claude-3-5-haiku-latest"
    answer = _claude(client, PHI, system="You write discharge letters.")
    assert answer.type == "message" and answer.role == "assistant"
    assert answer.content[0].text == "local answered llama3" and answer.stop_reason == "end_turn"
    assert answer.usage.output_tokens == 7
    assert len(external.requests) == 1  # the harmless one only
    sent = local.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["body"]["model"] == "llama3"
    assert sent["body"]["max_tokens"] == 50
    assert sent["body"]["messages"] == [
        {"role": "system", "content": "You write discharge letters."},
        {"role": "user", "content": PHI},
    ]


def test_a_rerouted_anthropic_stream_arrives_as_anthropic_events(tmp_path, servers):
    external, local = servers
    client = _anthropic_guard(tmp_path, external, _local_url(local))
    events = list(_claude(client, PHI, stream=True))
    kinds = [event.type for event in events]
    assert kinds[0] == "message_start" and kinds[1] == "content_block_start"
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta")
    assert text == "local answered llama3"
    assert events[-2].delta.stop_reason == "end_turn"
    assert external.requests == [] and local.requests[0]["body"]["stream"] is True


def test_an_async_anthropic_client_is_rerouted_too(tmp_path, servers):
    external, local = servers
    client = _anthropic_guard(tmp_path, external, _local_url(local), asynchronous=True)

    async def run():
        answer = await _claude(client, PHI)
        stream = await _claude(client, PHI, stream=True)
        pieces = [e.delta.text async for e in stream if e.type == "content_block_delta"]
        return answer.content[0].text, "".join(pieces)

    assert asyncio.run(run()) == ("local answered llama3", "local answered llama3")
    assert external.requests == [] and len(local.requests) == 2


def test_anthropic_tool_use_and_results_are_translated_for_the_local_model(tmp_path, servers):
    external, local = servers
    client = _anthropic_guard(tmp_path, external, _local_url(local))
    client.messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=50,
        tools=[{"name": "lookup", "description": "find a chart", "input_schema": {"type": "object"}}],
        tool_choice={"type": "any"},
        messages=[
            {"role": "user", "content": PHI},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "tu1", "name": "lookup", "input": {"q": 1}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "tu1", "content": "chart found"}]},
        ],
    )
    body = local.requests[0]["body"]
    assert body["tools"][0]["function"]["name"] == "lookup" and body["tool_choice"] == "required"
    assert body["messages"][1]["tool_calls"][0]["function"] == {"name": "lookup", "arguments": '{"q": 1}'}
    assert body["messages"][2] == {"role": "tool", "tool_call_id": "tu1", "content": "chart found"}
    assert external.requests == []


def test_an_anthropic_client_with_no_local_route_is_refused(tmp_path, servers):
    external, local = servers
    client = _anthropic_guard(tmp_path, external, None)
    with pytest.raises(PolicyViolation, match="no local route"):
        _claude(client, PHI)
    assert external.requests == [] and local.requests == []


def test_an_anthropic_clients_local_route_that_is_down_fails_closed(tmp_path, servers):
    external, _ = servers
    client = _anthropic_guard(tmp_path, external, f"http://localhost:{_closed_port()}/v1")
    with pytest.raises(RouteUnavailable, match="failed closed"):
        _claude(client, PHI)
    with pytest.raises(RouteUnavailable, match="failed closed"):
        _claude(client, PHI, stream=True)
    assert external.requests == []


def test_an_anthropic_clients_local_route_answering_garbage_is_reported(tmp_path):
    with FakeOpenAI("external") as external, FakeOpenAI("local", mode="garbage") as local:
        client = _anthropic_guard(tmp_path, external, _local_url(local))
        with pytest.raises(RouteUnavailable, match="failed closed"):
            _claude(client, PHI)
        assert external.requests == []


def test_with_fallback_on_error_allowed_traffic_goes_to_the_local_model_when_the_upstream_fails(tmp_path):
    with FakeOpenAI("external", mode="garbage") as external, FakeOpenAI("local") as local:
        config = _site(tmp_path, external, _local_url(local), extra="fallback_on_error = true\n")
        client = auditor.guard(_client(external), config=config, db=False)
        answer = _ask(client, HARMLESS)
        assert answer.choices[0].message.content == "local answered llama3"  # the local model, by model_map
        assert len(external.requests) == 1 and local.requests[0]["body"]["model"] == "llama3"


def test_fallback_on_error_never_sends_rerouted_data_out_when_the_local_route_is_down(tmp_path, servers):
    external, _ = servers
    config = _site(tmp_path, external, f"http://localhost:{_closed_port()}/v1", extra="fallback_on_error = true\n")
    client = auditor.guard(_client(external), config=config, db=False)
    with pytest.raises(RouteUnavailable, match="failed closed"):
        _ask(client, ITAR)
    with pytest.raises(RouteUnavailable, match="failed closed"):
        _ask(client, PHI, stream=True)
    assert external.requests == []


def test_an_anthropic_system_prompt_is_judged_like_the_messages(tmp_path, servers):
    external, local = servers
    client = _anthropic_guard(tmp_path, external, _local_url(local))
    answer = _claude(client, HARMLESS, system=PHI)
    assert answer.content[0].text == "local answered llama3"
    assert external.requests == [] and local.requests[0]["body"]["messages"][0] == {"role": "system", "content": PHI}


def test_redaction_covers_an_anthropic_system_prompt(tmp_path, servers):
    external, local = servers
    client = _anthropic_guard(tmp_path, external, None, routing='on_unmet = "redact"\n')
    client.messages.create(
        model="claude-3-5-haiku-latest", max_tokens=50, system=PHI, messages=[{"role": "user", "content": PHI}]
    )
    body = external.requests[0]["body"]
    assert (
        "Okafor" not in json.dumps(body) and "<PERSON>" in body["system"] and "<PERSON>" in json.dumps(body["messages"])
    )
    assert local.requests == []


def _claude_stream(client, content: str, **kwargs):
    return client.messages.stream(**_claude_request(content, **kwargs))


def test_anthropic_messages_stream_is_judged_and_rerouted_like_create(tmp_path, servers):
    external, local = servers
    client = _anthropic_guard(tmp_path, external, _local_url(local))
    with _claude_stream(client, PHI) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "local answered llama3" == final.content[0].text
    assert final.stop_reason == "end_turn"
    assert external.requests == [] and local.requests[0]["body"]["stream"] is True
    with _claude_stream(client, HARMLESS) as stream:
        events = list(stream)
        final = stream.get_final_message()
    assert final.content[0].text == "external answered claude-3-5-haiku-latest"
    assert [e.type for e in events if e.type == "text"]  # the SDK's own helper events, built over the guard
    assert len(external.requests) == 1 and external.requests[0]["body"]["stream"] is True


def test_anthropic_messages_stream_is_not_sent_before_it_is_entered_and_is_refused_there(tmp_path, servers):
    external, local = servers
    client = _anthropic_guard(tmp_path, external, None)
    manager = _claude_stream(client, PHI)  # as with the SDK: nothing is judged or sent until entered
    assert external.requests == [] and local.requests == []
    with pytest.raises(PolicyViolation, match="no local route"):
        with manager:
            pass
    assert external.requests == [] and local.requests == []


def test_anthropic_messages_stream_to_a_local_route_that_is_down_fails_closed(tmp_path, servers):
    external, _ = servers
    client = _anthropic_guard(tmp_path, external, f"http://localhost:{_closed_port()}/v1")
    with pytest.raises(RouteUnavailable, match="failed closed"):
        with _claude_stream(client, PHI):
            pass
    assert external.requests == []


def test_an_anthropic_stream_the_guard_cannot_follow_is_refused_before_anything_is_sent(tmp_path, servers, monkeypatch):
    """A future SDK whose MessageStream keeps its events elsewhere: the guard cannot record the
    stream or restore placeholders in it, so it refuses messages.stream() instead of failing
    after the request left (and taking that for an upstream failure)."""
    from anthropic.lib.streaming import MessageStream

    external, local = servers
    client = _anthropic_guard(tmp_path, external, _local_url(local))
    with _claude_stream(client, HARMLESS) as stream:  # today's SDK: followed
        assert stream.get_final_message().content[0].text.startswith("external answered")
    original = MessageStream.__init__

    @functools.wraps(original)  # the same signature, so the guard builds it as it would the SDK's
    def renamed(self, raw_stream, *args, **kwargs):
        original(self, raw_stream, *args, **kwargs)
        self._events = self.__dict__.pop("_raw_stream")

    monkeypatch.setattr(MessageStream, "__init__", renamed)
    with pytest.raises(NotImplementedError, match="messages.create\\(stream=True\\)"):
        _claude_stream(client, HARMLESS)
    assert len(external.requests) == 1 and local.requests == []


def test_async_anthropic_messages_stream_is_guarded_too(tmp_path, servers):
    external, local = servers
    client = _anthropic_guard(tmp_path, external, _local_url(local), asynchronous=True)

    async def run():
        async with _claude_stream(client, PHI) as stream:
            rerouted = "".join([piece async for piece in stream.text_stream])
        async with _claude_stream(client, HARMLESS) as stream:
            sent = (await stream.get_final_message()).content[0].text
        return rerouted, sent

    assert asyncio.run(run()) == ("local answered llama3", "external answered claude-3-5-haiku-latest")
    assert len(external.requests) == 1 and external.requests[0]["body"]["messages"][0]["content"] == HARMLESS
    assert len(local.requests) == 1


def test_anthropic_arguments_the_local_route_cannot_take_are_recorded_in_the_flow(tmp_path, servers):
    """top_k, thinking and metadata have no chat completions equivalent: the local model does
    not get them, and the stored flow says so in a step (never silently)."""
    external, local = servers
    db = tmp_path / "findings.db"
    client = _anthropic_guard(tmp_path, external, _local_url(local), db=str(db))
    # anthropic 2 takes temperature, top_p and top_k in extra_body only; older SDKs take either
    dropped = {"thinking": {"type": "enabled", "budget_tokens": 1024}, "metadata": {"user_id": "u-1"}}
    _claude(client, PHI, extra_body={"top_k": 5, "temperature": 0.2}, **dropped)
    with _claude_stream(client, PHI, extra_body={"top_k": 5}) as stream:
        stream.until_done()
    _claude(client, HARMLESS, extra_body={"top_k": 5})  # sent to Anthropic as it is: nothing dropped
    client.auditor_guard.flush()
    body = local.requests[0]["body"]
    assert body["temperature"] == 0.2 and not {"top_k", *dropped} & set(body)
    assert external.requests[0]["body"]["top_k"] == 5
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        flows = conn.execute(select(t.Flow).order_by(t.Flow.id)).mappings().all()
    engine.dispose()
    [create_step], [stream_step], sent_steps = flows[0]["steps"], flows[1]["steps"], flows[2]["steps"]
    assert create_step["description"] == (
        "translated to chat completions for the local route; dropped (no equivalent): metadata, thinking, top_k"
    )
    assert stream_step["description"].endswith("dropped (no equivalent): top_k")
    assert flows[1]["sink"] == "anthropic.messages.stream" and flows[1]["action"] == "reroute"
    assert flows[1]["output_tokens"] > 0  # estimated: the fake local server streams no usage
    assert sent_steps == [] and flows[2]["action"] == "send"


def test_untranslated_names_what_a_chat_completions_request_cannot_carry():
    from auditor.messages_bridge import untranslated

    request = {
        "model": "claude-3-5-haiku-latest",
        "max_tokens": 5,
        "timeout": 3,  # the local route has its own: not a loss
        "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}],
        "messages": [
            {"role": "user", "content": [{"type": "document", "source": {"type": "text", "data": "x"}}]},
            {"role": "user", "content": [{"type": "text", "text": "Summarise it."}]},
        ],
        "tools": [{"type": "web_search_20250305", "name": "web_search"}, {"name": "f", "input_schema": {}}],
        "extra_body": {"top_p": 0.9, "top_k": 3},
    }
    assert untranslated(request) == ("cache_control", "content:document", "tools:web_search_20250305", "top_k")
    assert untranslated({"model": "m", "messages": [], "max_tokens": 1, "metadata": None}) == ()
