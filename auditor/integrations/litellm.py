"""A LiteLLM proxy guardrail: the decision of ``auditor.guard`` inside a team's LiteLLM proxy.

Install ``auditor[litellm]`` in the proxy's environment and add to its ``config.yaml``
(``examples/litellm/config.yaml``)::

    guardrails:
      - guardrail_name: auditor
        litellm_params:
          guardrail: auditor.integrations.litellm.AuditorGuardrail
          mode: pre_call
          default_on: true
          local_model: local-llama          # the router's model group on the site's own server
          auditor_config: /etc/auditor.toml # [tool.auditor] (agreements, routing); optional

Before each call the guardrail reads what the request sends (its messages) and where the
requested model group's deployments really go (their ``api_base`` and provider, resolved
through auditor's catalog), and asks ``auditor.runtime.RuntimeJudge``, the decision the SDK
guard uses: **send** it; **mask** it (``on_unmet = "redact"``: values replaced by
``<ENTITY>``); **route** it to ``local_model`` in the router; or **block** it (HTTP 400 with
the rule and the fix). Each decision is stored as a runtime flow (masked excerpts and
fingerprints, tokens estimated from the text, cost from the price table).

Offline: LiteLLM's model-price map must come from the installed package. Start the proxy
with ``LITELLM_LOCAL_MODEL_COST_MAP=True`` (this module sets it too, but the proxy may have
read it before loading guardrails).
"""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

from litellm.integrations.custom_guardrail import CustomGuardrail  # noqa: E402

from auditor.config import ScanConfig  # noqa: E402
from auditor.guarded import extract_texts, replace_texts  # noqa: E402
from auditor.model import Destination, DestinationKind  # noqa: E402
from auditor.runtime import BLOCK, REDACT, REROUTE, RuntimeDecision, RuntimeJudge  # noqa: E402
from auditor.sources.usage import estimate_tokens  # noqa: E402


class AuditorGuardrail(CustomGuardrail):
    """LiteLLM ``pre_call`` guardrail: send, mask, route to the local model group, or block."""

    # Run our own async_pre_call_hook (it may change the model), not LiteLLM's unified text path.
    use_native_lifecycle_hooks = True

    def __init__(self, local_model: str | None = None, auditor_config: str | None = None,
                 auditor_db: str | None = None, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        config = ScanConfig(config_file=_path(auditor_config)) if auditor_config else ScanConfig()
        self.judge = RuntimeJudge(config)
        self.local_model = local_model
        from auditor.planning import local_route
        from auditor.policy.prices import load_prices

        self.prices = load_prices(self.judge.policy.site)
        self.journal = None
        if auditor_db != "none":
            from auditor.store import open_database
            from auditor.store.journal import RuntimeJournal

            self.journal = RuntimeJournal(open_database(auditor_db, [os.getcwd()], write=True), "litellm")
        self._local_route = local_route

    async def async_pre_call_hook(self, user_api_key_dict: Any, cache: Any, data: dict, call_type: Any) -> dict:
        """Judge the request against every deployment of its model group; act on the strictest."""
        model = data.get("model")
        texts = extract_texts(data.get("messages") or data.get("input") or data.get("prompt"))
        local = self._destination_of(self.local_model) if self.local_model else None
        decision: RuntimeDecision | None = None
        for destination in self._destinations_of(model) or [self.judge.destination(None, model=model)]:
            found = self.judge.judge(texts, destination, f"litellm.{call_type}", model, local=local)
            if decision is None or _rank(found) > _rank(decision):
                decision = found
        assert decision is not None
        self._record(decision, model, texts, local)
        if decision.action == BLOCK:
            from fastapi import HTTPException

            error = decision.violation()
            raise HTTPException(
                status_code=400,
                detail={"error": str(error), "rule": error.rule_id, "decision": error.decision, "fix": error.fix,
                        "guardrail": self.guardrail_name},
            )  # fmt: skip
        if decision.action == REDACT:
            data["messages"] = replace_texts(data["messages"], iter(decision.redacted or ()))
        if decision.action == REROUTE:
            data["model"] = self.local_model
        return data

    def _deployments(self, model: str | None) -> list[dict[str, Any]]:
        from litellm.proxy import proxy_server

        router = getattr(proxy_server, "llm_router", None)
        if router is None or not model:
            return []
        return [d.get("litellm_params", {}) for d in router.get_model_list(model_name=model) or []]

    def _destinations_of(self, model: str | None) -> list[Destination]:
        found = []
        for params in self._deployments(model):
            target = params.get("model") or ""
            provider = params.get("custom_llm_provider") or (target.split("/", 1)[0] if "/" in target else None)
            found.append(self.judge.destination(params.get("api_base"), provider=provider, model=target))
        return found

    def _destination_of(self, model: str) -> Destination | None:
        local = [d for d in self._destinations_of(model) if d.kind is not DestinationKind.EXTERNAL]
        return local[0] if local else None

    def _record(
        self, decision: RuntimeDecision, model: str | None, texts: list[str], local: Destination | None
    ) -> None:
        if self.journal is None:
            return
        flow = decision.assessed.flow
        tokens = (estimate_tokens(sum(len(t) for t in texts)), 0)
        if decision.action == REROUTE and local is not None:
            price = self.prices.lookup(local.id, local.kind, self.local_model)
        else:
            price = self.prices.lookup(flow.destination.id, flow.destination.kind, model)
        now = datetime.now(UTC)
        self.journal.record(decision.assessed, {
            "model": model, "occurred_at": now, "day": now.date().isoformat(), "input_tokens": tokens[0],
            "output_tokens": 0, "tokens_estimated": True,
            "cost": price.cost(*tokens) if price and decision.action != BLOCK else 0,
            "currency": self.prices.currency, "price_id": price.id if price else None, "action": decision.action,
            "routed_to": local.id if decision.action == REROUTE and local is not None else None,
        })  # fmt: skip


def _rank(decision: RuntimeDecision) -> int:
    return {"send": 0, "redact": 1, "reroute": 2, "block": 3}[decision.action]


def _path(value: str) -> Any:
    from pathlib import Path

    return Path(value)
