"""``auditor plan`` and the price table: tokens and cost per destination and verdict, checked by hand.

The hand-checked log (tests/fixtures/plan/requests.jsonl), with the site's self-hosted cost of
$0.0002 per 1K tokens (tests/fixtures/plan/auditor.toml) and rules/prices.yaml as of 2025-06-30:

record 0: openai gpt-4o ($0.0025 in, $0.01 out), 120,000 / 30,000 tokens, PHI with no BAA (conditional,
  unmet): must move. Today 0.30 + 0.30 = 0.60; planned 150,000 x 0.0002 / 1K = 0.03.
record 1: anthropic claude-3-5-sonnet ($0.003 / $0.015), 200,000 / 50,000, allow: stays. 0.60 + 0.75 = 1.35.
record 2: a LiteLLM payload, openai gpt-4o-mini ($0.00015 / $0.0006), 1,000,000 / 200,000, tag summarise
  (routable), response_cost 99.0 (ignored), allow: could move. Today 0.15 + 0.12 = 0.27; planned 0.24.
record 3: openai gpt-4o, 400,000 / 100,000, ITAR (local_only): must move. Today 1.00 + 1.00 = 2.00; planned 0.10.
record 4: openai gpt-4o, no usage, 1,000 characters: 250 tokens estimated, allow. 0.000625 both ways.
record 5: openai gpt-4o, no usage and no text: no tokens, cost 0, and said so.
record 6: ollama on localhost (the self-hosted cost), 500,000 / 100,000, allow. 0.12 both ways.

Total today 4.340625 (4.34), planned 1.840625 (1.84), saving 2.50.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from support.cli import REPO, auditor_cli

from auditor.model import DestinationKind
from auditor.policy.prices import PriceError, load_prices
from auditor.siteconfig import parse_site_config
from auditor.sources.usage import estimate_tokens, usage_of

PLAN = REPO / "tests" / "fixtures" / "plan"
SITE = PLAN / "auditor.toml"


@pytest.fixture(scope="module")
def plan_json():
    out = auditor_cli("plan", str(PLAN / "requests.jsonl"), "--config", str(SITE), "--format", "json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _row(plan, destination, verdict):
    return next(r for r in plan["rows"] if r["destination"] == destination and r["verdict"] == verdict)


def test_the_plan_of_the_hand_checked_log_adds_up_to_the_cent(plan_json):
    totals = plan_json["totals"]
    assert totals["cost_today"] == "4.340625"
    assert totals["cost_planned"] == "1.840625"
    assert totals["saving"] == "2.500000"
    assert (totals["requests"], totals["input_tokens"], totals["output_tokens"]) == (7, 2_220_250, 480_000)
    assert (totals["must_move"], totals["could_move"]) == (2, 1)
    assert _row(plan_json, "openai", "conditional")["cost_today"] == "0.600000"
    assert _row(plan_json, "openai", "conditional")["cost_planned"] == "0.030000"
    assert _row(plan_json, "openai", "local_only")["cost_today"] == "2.000000"
    assert (
        _row(plan_json, "anthropic", "allow")["cost_today"]
        == _row(plan_json, "anthropic", "allow")["cost_planned"]
        == "1.350000"
    )
    assert _row(plan_json, "ollama", "allow")["cost_today"] == "0.120000"


def test_a_logged_response_cost_is_never_used(plan_json):
    # record 2 logs response_cost 99.0; the table says 0.27 (+ 0.000625 for the estimated record)
    openai_allow = _row(plan_json, "openai", "allow")
    assert openai_allow["cost_today"] == "0.270625"
    assert openai_allow["could_move"] == 1 and openai_allow["cost_planned"] == "0.240625"


def test_estimates_and_records_without_tokens_are_labelled(plan_json):
    assert plan_json["totals"]["estimated_requests"] == 1
    assert _row(plan_json, "openai", "allow")["input_tokens"] == 1_000_000 + 250
    assert plan_json["without_tokens"] == {"requests": 1, "examples": [f"{PLAN / 'requests.jsonl'} record 5"]}


def test_cost_per_day_moves_to_the_local_route(plan_json):
    days = {(d["day"], d["destination"]): (d["cost_today"], d["cost_planned"]) for d in plan_json["days"]}
    assert days[("2026-11-02", "openai")] == ("0.870000", "0.000000")
    assert days[("2026-11-02", "ollama")] == ("0.000000", "0.270000")
    assert days[("2026-11-03", "openai")] == ("2.000625", "0.000625")
    assert days[("2026-11-03", "ollama")] == ("0.120000", "0.220000")
    assert plan_json["prices"]["self_hosted"]["per_1k_tokens"] == "0.0002"
    assert plan_json["prices"]["local_route"]["destination"] == "ollama"


def test_the_table_rounds_to_the_cent_and_names_the_price_dates(tmp_path):
    out = auditor_cli("plan", str(PLAN / "requests.jsonl"), "--config", str(SITE), "--format", "table")
    assert out.returncode == 0, out.stderr
    assert "Cost today 4.34 USD; with the plan 1.84 USD; saving 2.50 USD." in out.stdout
    assert "as of 2025-06-30 to 2026-11-01" in out.stdout and "ASSUMPTION" in out.stdout
    assert "ESTIMATED" in out.stdout and "no usage and no text" in out.stdout


def test_a_stored_scan_gives_the_same_plan(tmp_path, plan_json):
    db = str(tmp_path / "findings.db")
    scanned = auditor_cli("scan", str(PLAN / "requests.jsonl"), "--config", str(SITE), "--db", db, "--exit-zero")
    assert scanned.returncode == 0, scanned.stderr
    out = auditor_cli("plan", "--scan", "latest", "--db", db, "--config", str(SITE), "--format", "json")
    assert out.returncode == 0, out.stderr
    stored = json.loads(out.stdout)
    assert stored["totals"] == plan_json["totals"]
    assert stored["days"] == plan_json["days"]


_ENTRY = "{id: openai/x, destination: openai, models: [x], as_of: 2025-06-30, source: s, "


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_ENTRY + "output: 0.01, currency: USD}", "price openai/x: 'input' is required"),
        (
            _ENTRY + "input: 0.1, output: 0.01, currency: EUR}",
            "entry openai/x: currency EUR differs from the table's USD",
        ),
        (_ENTRY + "input: -1, output: 0.01, currency: USD}", "price openai/x, field input"),
    ],
)
def test_a_malformed_price_entry_is_exit_2_naming_the_file_and_the_entry(tmp_path, entry, message):
    shipped = (REPO / "rules" / "prices.yaml").read_text()
    bad = tmp_path / "prices.yaml"
    bad.write_text(shipped.rstrip() + "\n  - " + entry + "\n")
    out = auditor_cli("plan", str(PLAN / "requests.jsonl"), "--prices", str(bad), "--config", str(SITE))
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert str(bad) in out.stderr and message in out.stderr


def test_a_request_with_no_price_entry_is_exit_2_unless_allowed(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text(
        json.dumps(
            {
                "provider": "openai",
                "model": "gpt-9-preview",
                "messages": [],
                "usage": {"prompt_tokens": 5, "completion_tokens": 1},
            }
        )
        + "\n"
    )
    out = auditor_cli("plan", str(log), "--config", str(SITE))
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert "no price entry for destination 'openai' model 'gpt-9-preview'" in out.stderr
    allowed = auditor_cli("plan", str(log), "--config", str(SITE), "--allow-unpriced", "--format", "json")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["unpriced"] == [
        {"destination": "openai", "model": "gpt-9-preview", "requests": 1}
    ]


def test_plan_needs_paths_or_a_scan():
    out = auditor_cli("plan")
    assert out.returncode == 2 and "needs PATHS or --scan" in out.stderr


# --- The price table and usage, as a library -------------------------------------------------


def test_a_site_price_overrides_the_shipped_one_and_a_currency_mismatch_is_refused():
    site = parse_site_config(
        {"prices": [{"id": "contract/gpt-4o", "destination": "openai", "models": ["gpt-4o"], "input": 0.002,
                     "output": 0.008, "currency": "USD", "as_of": "2026-01-01", "source": "our contract"}]}
    )  # fmt: skip
    table = load_prices(site)
    price = table.require("openai", DestinationKind.EXTERNAL, "gpt-4o")
    assert price.id == "contract/gpt-4o" and price.cost(1000, 1000) == Decimal("0.010")
    assert table.require("openai", "external", "openai/gpt-4o-mini").id == "openai/gpt-4o-mini"
    euro = parse_site_config(
        {"self_hosted_cost": {"per_1k_tokens": 0.1, "currency": "EUR", "as_of": "2026-01-01", "source": "x"}}
    )
    with pytest.raises(PriceError, match="currency EUR differs from the table's USD"):
        load_prices(euro)


def test_local_destinations_cost_the_self_hosted_assumption_and_external_ones_need_a_price():
    table = load_prices()
    assert table.lookup("vllm", DestinationKind.SELF_HOSTED, "anything").assumption is True
    assert table.lookup("unknown", DestinationKind.EXTERNAL, "gpt-4o") is None


def _tokens(usage):
    return (usage.input_tokens, usage.output_tokens, usage.estimated)


def test_usage_is_read_from_openai_anthropic_and_litellm_records():
    openai = {"usage": {"prompt_tokens": 7, "completion_tokens": 3}, "created": 1793620800}
    anthropic = {"usage": {"input_tokens": 10, "output_tokens": 4, "cache_read_input_tokens": 90}}
    litellm = {"prompt_tokens": 11, "completion_tokens": 2, "response_cost": 5.0, "startTime": 1793620800.5}
    nested = {"response": {"usage": {"prompt_tokens": 1, "completion_tokens": 1}}}
    assert _tokens(usage_of(openai, 999)) == (7, 3, False)
    assert usage_of(openai, 0).day == "2026-11-02"
    assert _tokens(usage_of(anthropic, 0)) == (100, 4, False)  # cache reads are input
    assert _tokens(usage_of(litellm, 0)) == (11, 2, False) and usage_of(litellm, 0).day == "2026-11-02"
    assert _tokens(usage_of(nested, 0)) == (1, 1, False)


def test_without_usage_tokens_are_estimated_from_text_and_say_so():
    usage = usage_of({"choices": [{"message": {"content": "x" * 9}}]}, 401)
    assert (usage.input_tokens, usage.output_tokens, usage.estimated) == (101, 3, True)
    assert estimate_tokens(0) == 0 and estimate_tokens(4) == 1 and estimate_tokens(5) == 2
    assert usage_of({"model": "gpt-4o"}, 0) is None
