"""``auditor plan`` at scale: time and peak memory over up to a million logged requests.

Each size runs in a fresh process (so its peak RSS is its own). The process writes a JSONL
log of N requests in the formats the plan reads (OpenAI chat with ``usage``, Anthropic
``input_tokens``/``output_tokens``, LiteLLM standard logging payloads, and one in ten with no
usage, estimated from its text) over 30 days, then times the plan's own work on it: reading
every record's usage, day and tags, resolving its destination through the catalog, pricing it
and aggregating per destination, verdict and day. Verdicts are assigned by a fixed mix (5%
local_only, 10% conditional with unmet conditions, the rest allow): detection is the scan's
cost and is measured by ``bench/throughput.py``, not here.

    .venv/bin/python bench/plan_scale.py [--sizes 100000,300000,1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TEXT = "Summarise the ticket history for the weekly review and list the open actions. "
DAY0 = 1793577600  # 2026-11-02T00:00:00Z


def _record(i: int) -> dict:
    when = DAY0 + (i % 30) * 86400 + i % 86400
    kind = i % 10
    if kind == 9:  # no usage: estimated from the text
        return {"url": "https://api.openai.com/v1/chat/completions", "model": "gpt-4o", "created": when,
                "messages": [{"role": "user", "content": TEXT}]}  # fmt: skip
    if kind in (0, 1, 2):
        return {"provider": "anthropic", "model": "claude-3-5-sonnet-20241022", "timestamp": when,
                "messages": [{"role": "user", "content": TEXT}],
                "usage": {"input_tokens": 800 + i % 400, "output_tokens": 200 + i % 50}}  # fmt: skip
    if kind in (3, 4):
        return {"litellm_call_id": f"c{i}", "custom_llm_provider": "openai", "model": "gpt-4o-mini",
                "startTime": when + 0.5, "request_tags": ["summarise"] if i % 2 else [],
                "messages": [{"role": "user", "content": TEXT}], "prompt_tokens": 1200, "completion_tokens": 300,
                "response_cost": 1.0}  # fmt: skip
    if kind == 5:
        return {"url": "http://localhost:11434/v1/chat/completions", "model": "llama3.1:8b", "created": when,
                "messages": [{"role": "user", "content": TEXT}],
                "usage": {"prompt_tokens": 900, "completion_tokens": 250}}  # fmt: skip
    return {"url": "https://api.openai.com/v1/chat/completions", "model": "gpt-4o", "created": when,
            "messages": [{"role": "user", "content": TEXT}],
            "usage": {"prompt_tokens": 1000 + i % 500, "completion_tokens": 300}}  # fmt: skip


def child(size: int) -> dict:
    from auditor.catalog.destinations import load_catalog
    from auditor.model import Decision
    from auditor.planning import Plan, PlanRequest, local_route
    from auditor.policy.prices import load_prices
    from auditor.siteconfig import Routing, SiteConfig
    from auditor.sources.jsonlog import _request_facts
    from auditor.sources.logformats import log_formats
    from auditor.sources.usage import usage_of

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "requests.jsonl"
        with open(log, "w") as handle:
            for i in range(size):
                handle.write(json.dumps(_record(i)) + "\n")
        megabytes = log.stat().st_size / 2**20
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        routing = Routing(local_base_url="http://localhost:11434/v1", routable_tags=("summarise",))
        site = SiteConfig(routing=routing)
        catalog = load_catalog(site)
        plan = Plan(load_prices(site), routing, local_route(routing, catalog))
        formats = log_formats()
        resolved: dict[tuple, object] = {}
        with open(log) as handle:
            for i, line in enumerate(handle):
                record = json.loads(line)
                facts = _request_facts(record, formats.format_of(record))
                key = (facts["url"], facts["provider"], facts["model"])
                destination = resolved.get(key) or resolved.setdefault(
                    key, catalog.resolve(url=key[0], provider=key[1], model=key[2])
                )
                sent = sum(len(m["content"]) for m in record.get("messages", ()))
                roll = i % 20
                decision = (
                    Decision.LOCAL_ONLY if roll == 0 else Decision.CONDITIONAL if roll in (1, 2) else Decision.ALLOW
                )
                plan.add(PlanRequest(destination.id, destination.kind, decision, decision is not Decision.ALLOW,
                                     facts["model"], usage_of(record, sent)))  # fmt: skip
        result = plan.as_dict()
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "records": size,
        "log_mb": round(megabytes, 1),
        "seconds": round(seconds, 2),
        "records_per_second": round(size / seconds),
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_growth_mb": round((peak - rss_before) / 1024, 1),
        "rows": len(result["rows"]),
        "days": len({d["day"] for d in result["days"]}),
        "cost_today": result["totals"]["cost_today"],
        "cost_planned": result["totals"]["cost_planned"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    print(f"{'records':>9}  {'log MB':>7}  {'seconds':>8}  {'rec/s':>8}  {'peak RSS MB':>11}  {'growth MB':>9}  totals")
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--child", str(size)], capture_output=True, text=True,
                             check=True, env={**os.environ})  # fmt: skip
        r = json.loads(out.stdout)
        print(f"{r['records']:>9,}  {r['log_mb']:>7}  {r['seconds']:>8}  {r['records_per_second']:>8,}  "
              f"{r['peak_rss_mb']:>11}  {r['rss_growth_mb']:>9}  today {r['cost_today']} planned {r['cost_planned']} "
              f"({r['rows']} rows, {r['days']} days)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
