"""A LiteLLM proxy guardrail: the decision of ``auditor.guard`` inside a team's LiteLLM proxy.

Install ``auditor[litellm]`` in the proxy's environment and add to its ``config.yaml``
(``examples/litellm/config.yaml``)::

    guardrails:
      - guardrail_name: auditor
        litellm_params:
          guardrail: auditor.integrations.litellm.AuditorGuardrail
          mode: [pre_call, post_call]
          default_on: true
          local_model: local-llama          # the router's model group on the site's own server
          auditor_config: /etc/auditor.toml # [tool.auditor] (agreements, routing); optional

Before each call the guardrail reads what the request sends (its messages) and where the
requested model group's deployments really go (their ``api_base`` and provider, resolved
through auditor's catalog), and asks ``auditor.runtime.RuntimeJudge``, the decision the SDK
guard uses: **send** it; **mask** it (``on_unmet = "redact"``: values replaced by
``<ENTITY>``, or by placeholders under ``redaction = "reversible"``); **route** it to
``local_model`` in the router; or **block** it (HTTP 400 with the rule and the fix).

After the call (``post_call`` in ``mode``), the guardrail takes the answer: it puts the
values back for their placeholders (reversible redaction; streamed answers too, where a
placeholder may arrive cut in two), and stores the request's decision as a runtime flow
(masked excerpts and fingerprints) with the tokens the provider counted, input and output,
and their cost recomputed from the price table. A blocked request is stored at once; a call
that fails is stored as ``<action>_failed``; with ``mode: pre_call`` alone (or if no answer
comes within ``pending_seconds``), tokens are estimated from the request's text.

Offline: LiteLLM's model-price map must come from the installed package. Start the proxy
with ``LITELLM_LOCAL_MODEL_COST_MAP=True`` (this module sets it too, but the proxy may have
read it before loading guardrails).
"""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import AsyncGenerator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

from litellm.integrations.custom_guardrail import CustomGuardrail  # noqa: E402

from auditor.config import ScanConfig  # noqa: E402
from auditor.guarded import _EventRestorer, _StreamTally, extract_texts, replace_texts  # noqa: E402
from auditor.model import Destination, DestinationKind  # noqa: E402
from auditor.placeholders import restore_in  # noqa: E402
from auditor.runtime import BLOCK, REDACT, REROUTE, RuntimeDecision, RuntimeJudge  # noqa: E402
from auditor.sources.usage import estimate_tokens, usage_tokens  # noqa: E402


@dataclass
class _Pending:
    """A decided request waiting for its answer (its placeholders, if any, ride on the decision)."""

    decision: RuntimeDecision
    model: str | None
    sent_chars: int
    local: Destination | None
    since: float


class AuditorGuardrail(CustomGuardrail):
    """LiteLLM guardrail: before the call send, mask, route to the local model group, or block;
    after it, restore placeholders and store the decision with the tokens counted."""

    # Run our own async_pre_call_hook (it may change the model), not LiteLLM's unified text path.
    use_native_lifecycle_hooks = True

    def __init__(self, local_model: str | None = None, auditor_config: str | None = None,
                 auditor_db: str | None = None, pending_seconds: float = 600.0, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        config = ScanConfig(config_file=_path(auditor_config)) if auditor_config else ScanConfig()
        self.judge = RuntimeJudge(config, warm_up=True)
        self.local_model = local_model
        self.pending_seconds = float(pending_seconds)
        self._pending: dict[str, _Pending] = {}
        self._pending_lock = threading.Lock()
        from auditor.planning import local_route
        from auditor.policy.prices import load_prices

        self.prices = load_prices(self.judge.policy.site)
        self.journal = None
        if auditor_db != "none":
            from auditor.store import open_database
            from auditor.store.journal import RuntimeJournal

            self.journal = RuntimeJournal(open_database(auditor_db, [os.getcwd()], write=True), "litellm")
        self._local_route = local_route

    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: Any, data: dict[str, Any], call_type: Any
    ) -> dict[str, Any]:
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
        pending = _Pending(decision, model, sum(len(t) for t in texts), local, time.monotonic())
        if decision.action == BLOCK or not self._await_answer(data, pending):
            self._record(pending, None)
            if decision.placeholders is not None:  # no answer hook to restore them: not kept
                decision.placeholders.forget()
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

    async def async_post_call_success_hook(self, data: dict[str, Any], user_api_key_dict: Any, response: Any) -> Any:
        """The answer: placeholders restored, the decision stored with the tokens the provider counted."""
        pending = self._take(data)
        if pending is None:
            return response
        placeholders = pending.decision.placeholders
        if placeholders is not None:
            # a restored copy: LiteLLM's own loggers keep the answer as the model gave it
            response = restore_in(_copy(response), placeholders)
            placeholders.forget()
        usage = getattr(response, "usage", None)
        self._record(pending, _usage_dict(usage) if usage is not None else None)
        return response

    async def async_post_call_failure_hook(
        self,
        request_data: dict[str, Any],
        original_exception: Exception,
        user_api_key_dict: Any,
        traceback_str: str | None = None,
    ) -> Any:
        """A call that failed after it was decided: stored as ``<action>_failed``, no tokens, no cost."""
        pending = self._take(request_data)
        if pending is not None:
            if pending.decision.placeholders is not None:
                pending.decision.placeholders.forget()
            self._record(pending, None, failed=True)
        return None

    async def async_post_call_streaming_iterator_hook(
        self, user_api_key_dict: Any, response: Any, request_data: dict[str, Any]
    ) -> AsyncGenerator[Any, None]:
        """A streamed answer passed on chunk by chunk, placeholders restored; stored when it ends."""
        pending = self._take(request_data)
        placeholders = pending.decision.placeholders if pending is not None else None
        restorer = _EventRestorer(placeholders) if placeholders is not None else None
        tally = _StreamTally()
        last = None
        try:
            async for chunk in response:
                tally.see(chunk)
                last = chunk
                for out in restorer.events(_copy(chunk)) if restorer is not None else (chunk,):
                    yield out
            if restorer is not None:
                for out in restorer.finish(last):
                    yield out
        finally:
            if pending is not None:
                if placeholders is not None:
                    placeholders.forget()
                self._record(pending, tally.usage, output_chars=tally.chars)

    def _await_answer(self, data: dict[str, Any], pending: _Pending) -> bool:
        """Keep the decision until its answer (post_call); False when no answer hook will come."""
        call_id = data.get("litellm_call_id")
        if not call_id or not self._runs_after_the_call():
            return False
        now = time.monotonic()
        with self._pending_lock:
            stale = [k for k, p in self._pending.items() if now - p.since > self.pending_seconds]
            old = [self._pending.pop(k) for k in stale]
            self._pending[str(call_id)] = pending
        for item in old:  # no answer came in time: stored with estimated tokens
            if item.decision.placeholders is not None:
                item.decision.placeholders.forget()
            self._record(item, None)
        return True

    def _take(self, data: dict[str, Any]) -> _Pending | None:
        call_id = data.get("litellm_call_id")
        with self._pending_lock:
            return self._pending.pop(str(call_id), None) if call_id else None

    def _runs_after_the_call(self) -> bool:
        from litellm.types.guardrails import GuardrailEventHooks

        hooks = self.event_hook if isinstance(self.event_hook, list) else [self.event_hook]
        return any(h in (GuardrailEventHooks.post_call, GuardrailEventHooks.post_call.value) for h in hooks)

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
        self, pending: _Pending, usage: dict[str, Any] | None, failed: bool = False, output_chars: int = 0
    ) -> None:
        """Store the decision as a runtime flow: tokens as the provider counted them, else estimated."""
        if self.journal is None:
            return
        decision, local, model = pending.decision, pending.local, pending.model
        flow = decision.assessed.flow
        counted = usage_tokens(usage) if usage else None
        tokens = counted or (estimate_tokens(pending.sent_chars), estimate_tokens(output_chars))
        if failed:
            tokens = (0, 0)
        elif decision.action == BLOCK:
            tokens = (tokens[0], 0)
        if decision.action == REROUTE and local is not None:
            price = self.prices.lookup(local.id, local.kind, self.local_model)
        else:
            price = self.prices.lookup(flow.destination.id, flow.destination.kind, model)
        now = datetime.now(UTC)
        self.journal.record(decision.assessed, {
            "model": model, "occurred_at": now, "day": now.date().isoformat(), "input_tokens": tokens[0],
            "output_tokens": tokens[1], "tokens_estimated": counted is None,
            "cost": price.cost(*tokens) if price and decision.action != BLOCK and not failed else 0,
            "currency": self.prices.currency, "price_id": price.id if price else None,
            "action": decision.action + ("_failed" if failed else ""),
            "routed_to": local.id if decision.action == REROUTE and local is not None else None,
        })  # fmt: skip


def _copy(response: Any) -> Any:
    copy = getattr(response, "model_copy", None)
    return copy(deep=True) if copy is not None else response


def _usage_dict(usage: Any) -> dict[str, Any] | None:
    if isinstance(usage, dict):
        return usage
    dump = getattr(usage, "model_dump", None)
    found = dump() if dump is not None else None
    return found if isinstance(found, dict) else None


def _rank(decision: RuntimeDecision) -> int:
    return {"send": 0, "redact": 1, "reroute": 2, "block": 3}[decision.action]


def _path(value: str) -> Any:
    from pathlib import Path

    return Path(value)
