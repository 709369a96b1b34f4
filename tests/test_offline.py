"""A scan never opens a network connection: air-gapped sites depend on it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

# Runs in a fresh interpreter with an empty tldextract cache, so nothing cached by an earlier
# run can hide a download. Every way out to the network is replaced by one that records the
# attempt and fails.
GUARD = textwrap.dedent(
    """
    import json, socket, sys
    attempts = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(f"{name}{args[1:2] or args[:1]}")
            raise OSError("network disabled by the offline test")
        return blocked

    socket.socket.connect = refuse("connect")
    socket.socket.connect_ex = refuse("connect_ex")
    socket.create_connection = refuse("create_connection")
    socket.getaddrinfo = refuse("getaddrinfo")

    {body}
    print(json.dumps(attempts))
    """
)


def run_guarded(body: str, tmp_path, extra_env: dict | None = None) -> list[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TLDEXTRACT_CACHE": str(tmp_path / "tld"),
        "AUDITOR_FINGERPRINT_KEY": "k",
        **(extra_env or {}),
    }
    out = subprocess.run(
        [sys.executable, "-c", GUARD.replace("{body}", textwrap.dedent(body))],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "note.txt").write_text(
        "Patient Maria Okafor, maria.okafor@example.com, https://portal.example.org/chart, "
        "MRN 00482913, phone (937) 555-0148.\n"
    )
    (folder / "log.jsonl").write_text(
        json.dumps(
            {"model": "gpt-4o", "messages": [{"role": "user", "content": "Email jo@example.net about JE-2026-00417"}]}
        )
        + "\n"
    )
    return folder


def test_scan_opens_no_connection(tmp_path, corpus):
    body = f"""
import auditor
result = auditor.scan([{str(corpus)!r}])
assert any(f.entity == "EMAIL_ADDRESS" for f in result.findings), result.findings
"""
    assert run_guarded(body, tmp_path) == []


def test_the_guard_catches_what_tldextract_does_by_default(tmp_path):
    """Without auditor's set-up, tldextract reaches for the suffix list: the guard sees it."""
    body = """
import tldextract
tldextract.TLDExtract()("maria.okafor@example.com")
"""
    attempts = run_guarded(body, tmp_path)
    assert attempts, "the guard saw no attempt, so the offline test above proves nothing"
