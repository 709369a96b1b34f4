"""The LiteLLM guardrail inside a real LiteLLM proxy process on 127.0.0.1, with two upstreams.

The proxy (``litellm --config``) is started by the test with ``LITELLM_LOCAL_MODEL_COST_MAP``
set (its price map from the installed package, never the network), serves model group
``gpt-4o`` on the "external" server (named as OpenAI's host in the site configuration) and
``local-llama`` on the "local" one, and is stopped by the test. Bounded: 150 seconds to start,
ten seconds a request, five requests. A second proxy, started the same way, redacts
reversibly, for the post-call hook that puts the values back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.fake_openai import FakeOpenAI

pytest.importorskip("litellm.proxy.proxy_server", reason="auditor[litellm] (LiteLLM's proxy) is not installed")
openai = pytest.importorskip("openai")

PHI = "Summarise for the discharge letter: Patient Maria Okafor, MRN 4471923, admitted to Mercy Hospital with CHF."
ITAR = "Rewrite this ITAR-controlled technical data for the turbine blade cooling design, USML Category XIX(f)."
HARMLESS = "What is the capital of France?"
KEY = "sk-auditor-test-0123456789abcdef0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _running_proxy(tmp: Path, external: FakeOpenAI, local: FakeOpenAI, routing: str):
    """The example config's proxy on a free port, its URLs pointed at the two test servers."""
    (tmp / "auditor.toml").write_text(
        f'[destinations.openai]\nhosts = ["api.openai.com", "127.0.0.1:{external.port}"]\n\n[routing]\n{routing}'
    )
    config = (REPO_EXAMPLE.read_text()
              .replace("http://127.0.0.1:8001/v1", external.base_url)
              .replace("http://localhost:11434/v1", f"http://localhost:{local.port}/v1")
              .replace("/etc/auditor/auditor.toml", str(tmp / "auditor.toml"))
              .replace("sqlite:////var/lib/auditor/findings.db", str(tmp / "findings.db")))  # fmt: skip
    (tmp / "config.yaml").write_text(config)
    port = _free_port()
    exe = shutil.which("litellm", path=str(Path(sys.executable).parent))
    env = {
        **os.environ,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # LiteLLM's price map from the package, never fetched
        "LITELLM_MASTER_KEY": KEY,
        "OPENAI_API_KEY": "test",
        "AUDITOR_DATABASE_URL": str(tmp / "findings.db"),
    }
    log = open(tmp / "proxy.log", "w")
    process = subprocess.Popen(
        [exe, "--config", str(tmp / "config.yaml"), "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 150
        while True:
            if process.poll() is not None:
                pytest.fail(f"the proxy exited: {(tmp / 'proxy.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/liveliness", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the proxy did not start within 150 s")
                time.sleep(1)
        yield openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY, max_retries=0, timeout=60)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("litellm")
    with FakeOpenAI("external") as external, FakeOpenAI("local") as local:
        with _running_proxy(tmp, external, local, 'on_unmet = "block"\n') as client:
            yield client, external, local, tmp


@pytest.fixture(scope="module")
def redacting_proxy(tmp_path_factory):
    """A second proxy whose site redacts reversibly; its "external" server echoes in 3-character pieces."""
    tmp = tmp_path_factory.mktemp("litellm-redact")
    with FakeOpenAI("external", echo=True, piece_size=3) as external, FakeOpenAI("local") as local:
        with _running_proxy(tmp, external, local, 'on_unmet = "redact"\nredaction = "reversible"\n') as client:
            yield client, external, local, tmp


REPO_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "litellm" / "config.yaml"


def _ask(client, content: str):
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": content}])


def test_harmless_text_goes_to_the_model_group_it_named(proxy):
    client, external, local, _ = proxy
    before = len(external.requests)
    assert _ask(client, HARMLESS).choices[0].message.content == "external answered gpt-4o"
    assert len(external.requests) == before + 1


def test_itar_is_routed_to_the_local_deployment_in_the_router(proxy):
    client, external, local, _ = proxy
    seen = len(external.requests)
    answer = _ask(client, ITAR)
    assert answer.choices[0].message.content == "local answered llama3"
    assert len(external.requests) == seen and "turbine" in local.requests[-1]["body"]["messages"][0]["content"]


def test_phi_with_no_baa_is_blocked_with_the_rule_and_the_fix(proxy):
    client, external, local, _ = proxy
    seen = (len(external.requests), len(local.requests))
    with pytest.raises(openai.BadRequestError) as raised:
        _ask(client, PHI)
    message = str(raised.value)
    assert "HIPAA-BAA-001" in message and "fix" in message
    assert "Okafor" not in message and "4471923" not in message
    assert (len(external.requests), len(local.requests)) == seen


def test_the_guardrails_decisions_are_stored_without_raw_values(proxy):
    _, _, _, tmp = proxy
    import sqlite3

    time.sleep(1)  # the journal writes on its own thread
    with sqlite3.connect(tmp / "findings.db") as conn:
        actions = {row[0] for row in conn.execute("SELECT action FROM flows WHERE kind = 'runtime'")}
        tables = ("flows", "findings", "flow_rules")
        dump = "\n".join(str(r) for t in tables for r in conn.execute(f"SELECT * FROM {t}"))
    assert {"send", "reroute", "block"} <= actions
    # identifiers never; an export marking and the words beside it are shown verbatim by design
    assert "Okafor" not in dump and "4471923" not in dump


def _stored(tmp: Path) -> tuple[list[dict], str]:
    import sqlite3

    deadline = time.monotonic() + 10  # the journal writes on its own thread
    while True:
        with sqlite3.connect(tmp / "findings.db") as conn:
            conn.row_factory = sqlite3.Row
            flows = [dict(r) for r in conn.execute("SELECT * FROM flows WHERE kind = 'runtime' ORDER BY id")]
            dump = "\n".join(
                str(tuple(r)) for t in ("flows", "findings", "flow_rules") for r in conn.execute(f"SELECT * FROM {t}")
            )
        if flows or time.monotonic() > deadline:
            return flows, dump
        time.sleep(0.5)


def test_the_post_call_hook_stores_the_tokens_the_provider_counted(proxy):
    client, external, _, tmp = proxy
    answer = _ask(client, HARMLESS)
    assert answer.usage.completion_tokens == 7
    time.sleep(1)
    flows, _ = _stored(tmp)
    sent = [f for f in flows if f["action"] == "send"]
    assert sent and all(f["output_tokens"] == 7 and not f["tokens_estimated"] for f in sent)
    # cost recomputed from the price table (gpt-4o: $0.0025 in, $0.01 out per 1K), not LiteLLM's figure
    last = sent[-1]
    assert float(last["cost"]) == pytest.approx((last["input_tokens"] * 0.0025 + 7 * 0.01) / 1000)
    blocked = [f for f in flows if f["action"] == "block"]
    assert all(f["output_tokens"] == 0 and float(f["cost"]) == 0 for f in blocked)


def test_reversible_redaction_through_the_proxy_restores_the_values_in_the_answer(redacting_proxy):
    client, external, local, tmp = redacting_proxy
    answer = _ask(client, PHI)
    assert answer.choices[0].message.content == f"external echoed: {PHI}"
    sent = external.requests[-1]["body"]["messages"][0]["content"]
    assert "Okafor" not in sent and "4471923" not in sent and "<PERSON_1>" in sent
    assert local.requests == []
    time.sleep(1)
    flows, _ = _stored(tmp)
    assert flows[-1]["action"] == "redact" and flows[-1]["output_tokens"] == 7 and not flows[-1]["tokens_estimated"]


def test_a_streamed_answer_through_the_proxy_is_restored_across_chunks(redacting_proxy):
    client, external, _, tmp = redacting_proxy
    stream = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": PHI}], stream=True)
    pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert "".join(pieces) == f"external echoed: {PHI}"
    assert "Okafor" not in external.requests[-1]["body"]["messages"][0]["content"]
    time.sleep(1)
    flows, dump = _stored(tmp)
    assert flows[-1]["action"] == "redact" and flows[-1]["output_tokens"] > 0  # streamed: no usage, estimated
    assert "Okafor" not in dump and "4471923" not in dump
