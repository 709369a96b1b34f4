"""Reversible redaction (``redaction = "reversible"``): placeholders out, values back in the answer.

Against the same two OpenAI-compatible servers on 127.0.0.1 as ``test_guard.py``, with the
external one echoing what it was sent, so the test sees the placeholders come back; streamed
answers come in pieces of three characters, so placeholders arrive cut in two.
"""

from __future__ import annotations

import asyncio
import pickle

import openai
import pytest
from sqlalchemy import create_engine, text

import auditor
from auditor.config import ScanConfig
from auditor.placeholders import Placeholders, restore_in
from bench.fake_openai import FakeOpenAI

PHI = "Summarise for the discharge letter: Patient Maria Okafor, MRN 4471923, admitted to Mercy Hospital with CHF."
RAW_VALUES = ("Okafor", "4471923", "Maria")


def _site(tmp_path, external, redaction: str = "reversible") -> ScanConfig:
    folder = tmp_path / f"site-{redaction}"
    folder.mkdir(exist_ok=True)
    config = folder / "auditor.toml"
    config.write_text(
        f'[destinations.openai]\nhosts = ["api.openai.com", "127.0.0.1:{external.port}"]\n\n'
        f'[routing]\non_unmet = "redact"\nredaction = "{redaction}"\ntimeout_seconds = 5\n'
    )
    return ScanConfig(config_file=config)


@pytest.fixture
def echo():
    with FakeOpenAI("external", echo=True, piece_size=3) as external:
        yield external


def _client(external):
    return openai.OpenAI(base_url=external.base_url, api_key="test-key", max_retries=0)


def _ask(client, content: str, **kwargs):
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": content}], **kwargs)


def test_the_upstream_gets_placeholders_and_the_caller_gets_the_values_back(tmp_path, echo):
    client = auditor.guard(_client(echo), config=_site(tmp_path, echo), db=False)
    answer = _ask(client, PHI)
    sent = echo.requests[0]["body"]["messages"][0]["content"]
    assert not any(value in sent for value in RAW_VALUES)
    assert "<PERSON_1>" in sent and "<MEDICAL_RECORD_NUMBER_1>" in sent
    assert answer.choices[0].message.content == f"external echoed: {PHI}"


def test_the_same_value_gets_the_same_placeholder_in_every_message(tmp_path, echo):
    client = auditor.guard(_client(echo), config=_site(tmp_path, echo), db=False)
    messages = [
        {"role": "system", "content": "You write discharge letters."},
        {"role": "user", "content": PHI},
        {"role": "assistant", "content": "Noted: Patient Maria Okafor, MRN 4471923."},
        {"role": "user", "content": "Now the letter for Patient Maria Okafor, MRN 4471923, please."},
    ]
    answer = client.chat.completions.create(model="gpt-4o", messages=messages)
    sent = [m["content"] for m in echo.requests[0]["body"]["messages"]]
    assert not any(value in s for s in sent for value in RAW_VALUES)
    mrn = {part.strip(".,") for s in sent for part in s.split() if part.startswith("<MEDICAL_RECORD_NUMBER_")}
    assert mrn == {"<MEDICAL_RECORD_NUMBER_1>"}
    assert "Patient <PERSON_1>" in sent[1]  # and the name, in each message it is in
    assert answer.choices[0].message.content == f"external echoed: {messages[-1]['content']}"


def test_a_streamed_answer_is_restored_even_where_a_placeholder_is_cut_across_chunks(tmp_path, echo):
    client = auditor.guard(_client(echo), config=_site(tmp_path, echo), db=False)
    pieces = [c.choices[0].delta.content or "" for c in _ask(client, PHI, stream=True) if c.choices]
    assert "".join(pieces) == f"external echoed: {PHI}"
    assert not any("<" in p and ">" not in p.split("<")[-1] for p in pieces), "a cut placeholder was shown"
    assert not any(value in echo.requests[0]["body"]["messages"][0]["content"] for value in RAW_VALUES)


def test_an_async_streamed_answer_is_restored_too(tmp_path, echo):
    config = _site(tmp_path, echo)
    client = auditor.guard(
        openai.AsyncOpenAI(base_url=echo.base_url, api_key="k", max_retries=0), config=config, db=False
    )

    async def run():
        plain = await client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": PHI}])
        stream = await client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": PHI}], stream=True
        )
        pieces = [c.choices[0].delta.content or "" async for c in stream if c.choices]
        return plain.choices[0].message.content, "".join(pieces)

    assert asyncio.run(run()) == (f"external echoed: {PHI}", f"external echoed: {PHI}")
    assert all(not any(v in r["body"]["messages"][0]["content"] for v in RAW_VALUES) for r in echo.requests)


def test_a_placeholder_already_in_the_prompt_is_never_handed_out(tmp_path, echo):
    client = auditor.guard(_client(echo), config=_site(tmp_path, echo), db=False)
    prompt = f"Template slot <PERSON_1> stays as written. {PHI}"
    answer = _ask(client, prompt)
    sent = echo.requests[0]["body"]["messages"][0]["content"]
    assert "<PERSON_2>" in sent and "Okafor" not in sent
    assert answer.choices[0].message.content == f"external echoed: {prompt}"


def test_stored_runtime_flows_of_reversible_redaction_hold_no_raw_value(tmp_path, echo):
    db = tmp_path / "findings.db"
    client = auditor.guard(_client(echo), config=_site(tmp_path, echo), db=str(db))
    _ask(client, PHI)
    "".join(c.choices[0].delta.content or "" for c in _ask(client, PHI, stream=True) if c.choices)
    client.auditor_guard.flush()
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        actions = [row[0] for row in conn.execute(text("SELECT action FROM flows ORDER BY id"))]
        dump = "\n".join(
            str(tuple(row))
            for table in ("scans", "findings", "flows", "flow_rules", "flow_findings")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        )
    engine.dispose()
    assert actions == ["redact", "redact"]
    assert not any(value in dump for value in RAW_VALUES)


def test_replace_redaction_stays_irreversible(tmp_path, echo):
    client = auditor.guard(_client(echo), config=_site(tmp_path, echo, redaction="replace"), db=False)
    answer = _ask(client, PHI)
    assert "<PERSON>" in answer.choices[0].message.content and "Okafor" not in answer.choices[0].message.content


def test_the_mapping_is_never_printed_or_pickled():
    placeholders = Placeholders()
    assert placeholders.placeholder("PERSON", "Maria Okafor") == "<PERSON_1>"
    assert placeholders.placeholder("PERSON", "Maria Okafor") == "<PERSON_1>"
    assert placeholders.placeholder("PERSON", "Veronica Okafor") == "<PERSON_2>"
    assert "Okafor" not in repr(placeholders) and "Okafor" not in repr([placeholders])
    with pytest.raises(TypeError):
        pickle.dumps(placeholders)
    assert restore_in({"a": ["<PERSON_2> and <PERSON_9>"]}, placeholders) == {"a": ["Veronica Okafor and <PERSON_9>"]}
    placeholders.forget()
    assert placeholders.restore("<PERSON_1>") == "<PERSON_1>"


def test_a_stream_restorer_gives_the_same_text_wherever_the_pieces_are_cut():
    placeholders = Placeholders()
    name, mrn = placeholders.placeholder("PERSON", "Maria Okafor"), placeholders.placeholder("MRN", "4471923")
    answer = f"Dear {name}, your record {mrn} is ready. <b>{name}</b> < 3 <UNKNOWN_1>"
    expected = "Dear Maria Okafor, your record 4471923 is ready. <b>Maria Okafor</b> < 3 <UNKNOWN_1>"
    for size in range(1, 12):
        restorer = placeholders.stream()
        shown = [restorer.feed(answer[i : i + size]) for i in range(0, len(answer), size)] + [restorer.flush()]
        assert "".join(shown) == expected, size
        assert not any(piece.endswith(("<PERS", "<MRN_")) for piece in shown)


def _reversibly_redacting_anthropic(folder, echo):
    """An Anthropic client guarded by a site that redacts reversibly what it may not send."""
    anthropic = pytest.importorskip("anthropic")
    folder.mkdir()
    (folder / "auditor.toml").write_text(
        f'[destinations.anthropic]\nhosts = ["api.anthropic.com", "127.0.0.1:{echo.port}"]\n\n'
        '[routing]\non_unmet = "redact"\nredaction = "reversible"\n'
    )
    raw = anthropic.Anthropic(base_url=f"http://127.0.0.1:{echo.port}", api_key="k", max_retries=0)
    return auditor.guard(raw, config=ScanConfig(config_file=folder / "auditor.toml"), db=False)


def test_an_anthropic_answer_is_restored_too(tmp_path, echo):
    client = _reversibly_redacting_anthropic(tmp_path / "anthropic-site", echo)
    answer = client.messages.create(
        model="claude-3-5-haiku-latest", max_tokens=50, messages=[{"role": "user", "content": PHI}]
    )
    assert answer.content[0].text == f"external echoed: {PHI}"
    assert not any(value in echo.requests[0]["body"]["messages"][0]["content"] for value in RAW_VALUES)


def test_an_anthropic_messages_stream_is_restored_before_the_sdk_builds_its_message(tmp_path, echo):
    client = _reversibly_redacting_anthropic(tmp_path / "anthropic-stream-site", echo)
    with client.messages.stream(
        model="claude-3-5-haiku-latest", max_tokens=50, messages=[{"role": "user", "content": PHI}]
    ) as stream:
        text = "".join(stream.text_stream)  # pieces of three characters: placeholders arrive cut
        final = stream.get_final_message()
    assert text == f"external echoed: {PHI}" == final.content[0].text
    sent = echo.requests[0]["body"]["messages"][0]["content"]
    assert "<PERSON_1>" in sent and not any(value in sent for value in RAW_VALUES)
