"""``auditor.guard`` (implemented here): judge each request of an OpenAI, Anthropic or OpenAI-compatible
client before it leaves.

::

    from openai import OpenAI
    import auditor

    client = auditor.guard(OpenAI())            # same interface as the client it wraps
    client.chat.completions.create(model="gpt-4o", messages=[...])

Each guarded call is judged from the texts it sends and the client's real ``base_url`` by
``auditor.runtime.RuntimeJudge`` (the decision the LiteLLM guardrail shares), then sent,
redacted then sent, rerouted to the site's local OpenAI-compatible model, or refused with
``PolicyViolation``. Guarded: ``chat.completions.create``, ``completions.create``,
``embeddings.create`` and ``responses.create`` of OpenAI clients (``OpenAI``,
``AsyncOpenAI``, any OpenAI-compatible server), and ``messages.create`` of Anthropic clients,
sync and async, ``stream=True`` included. Every decision is stored as a runtime flow (masked
excerpts and fingerprints; tokens and cost), unless ``db=False``.

An upstream that fails (timeout, garbage) raises ``RouteUnavailable``; the request goes to
no other destination unless ``fallback_on_error = true`` sends allowed traffic to the local
route. A local route that is down fails closed: rerouted data never goes out instead.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from auditor.config import ScanConfig
from auditor.model import Destination
from auditor.runtime import (
    BLOCK,
    REDACT,
    REROUTE,
    SEND,
    PolicyViolation,
    RouteUnavailable,
    RuntimeDecision,
    RuntimeJudge,
)
from auditor.sources.usage import estimate_tokens, usage_tokens

__all__ = ["Guard", "PolicyViolation", "RouteUnavailable", "guard"]

# The calls that send data to a model, by client family, as attribute paths from the client.
OPENAI_CALLS = {
    ("chat", "completions", "create"): "messages",
    ("completions", "create"): "prompt",
    ("embeddings", "create"): "input",
    ("responses", "create"): "input",
}
ANTHROPIC_CALLS = {("messages", "create"): "messages"}


def guard(
    client: Any,
    *,
    config: ScanConfig | None = None,
    db: str | bool | None = None,
    name: str = "guard",
    local_api_key: str | None = None,
) -> Any:
    """Wrap ``client`` so each request is judged before it leaves (see the module docstring).

    ``db``: where runtime flows are stored (a URL or SQLite path; None: as ``auditor scan``
    finds it; False: not stored). ``local_api_key``: the key for the local route
    (default ``$AUDITOR_LOCAL_API_KEY``, else a placeholder: local servers rarely check).
    """
    return _Proxy(client, (), Guard(client, config=config, db=db, name=name, local_api_key=local_api_key))


class Guard:
    """The state behind one guarded client: judge, prices, local route, journal."""

    def __init__(self, client: Any, *, config: ScanConfig | None, db: str | bool | None, name: str,
                 local_api_key: str | None) -> None:  # fmt: skip
        from auditor.planning import local_route
        from auditor.policy.prices import load_prices

        self.client = client
        self.judge = RuntimeJudge(config)
        self.routing = self.judge.routing
        self.prices = load_prices(self.judge.policy.site)
        self.local = local_route(self.routing, self.judge.policy.catalog)
        self.anthropic = type(client).__module__.split(".")[0] == "anthropic"
        self.calls = ANTHROPIC_CALLS if self.anthropic else OPENAI_CALLS
        # the SDKs wrap their async methods in sync decorators: ask the client, not the method
        self.is_async = inspect.iscoroutinefunction(getattr(type(client), "close", None))
        self.local_api_key = local_api_key or os.environ.get("AUDITOR_LOCAL_API_KEY", "auditor-local")
        self._local_client: Any = None
        self.journal = None
        if db is not False:
            from auditor.store import open_database
            from auditor.store.journal import RuntimeJournal

            self.journal = RuntimeJournal(open_database(db or None, [str(os.getcwd())], write=True), name)

    @property
    def destination(self) -> Destination:
        """Where the wrapped client really sends: its base URL, as the catalog resolves it."""
        provider = "anthropic" if self.anthropic else None
        return self.judge.destination(str(self.client.base_url), provider=provider)

    def local_client(self) -> Any:
        """A copy of the wrapped client pointed at the local route (same class, sync or async)."""
        if self._local_client is None:
            self._local_client = self.client.copy(
                base_url=self.routing.local_base_url, api_key=self.local_api_key, max_retries=0,
                timeout=self.routing.timeout_seconds,
            )  # fmt: skip
        return self._local_client

    def prepare(self, path: tuple[str, ...], kwargs: dict[str, Any]) -> tuple[_Request, dict[str, Any]]:
        """The decision and the arguments to send (redacted or with the local model)."""
        texts = extract_texts(kwargs.get(self.calls[path]))
        call = ("anthropic." if self.anthropic else "openai.") + ".".join(path)
        decision = self.judge.judge(texts, self.destination, call, kwargs.get("model"))
        if decision.action == REROUTE and self.anthropic:
            decision = RuntimeDecision(
                BLOCK, decision.assessed, reason="rerouting needs an OpenAI-compatible client (Anthropic's API differs)"
            )
        request = _Request(decision, sum(len(t) for t in texts))
        if decision.action == BLOCK:
            self.record(request, kwargs, None, 0)
            raise decision.violation()
        if decision.action == REDACT:
            field = self.calls[path]
            kwargs = {**kwargs, field: replace_texts(kwargs[field], iter(decision.redacted or ()))}
        if decision.action == REROUTE:
            kwargs = {**kwargs, "model": decision.local_model or kwargs.get("model")}
        return request, kwargs

    def target(self, path: tuple[str, ...], request: _Request, original: Callable[..., Any]) -> Callable[..., Any]:
        if request.decision.action != REROUTE:
            return original
        node = self.local_client()
        for part in path:
            node = getattr(node, part)
        return node

    def failed(self, request: _Request, kwargs: dict[str, Any], exc: Exception) -> RouteUnavailable:
        """Record the failure and say where the request did not go."""
        self.record(request, kwargs, None, 0, failed=True)
        decision = request.decision
        where = self.local.destination if decision.action == REROUTE else decision.assessed.flow.destination.id
        if decision.action == REROUTE:
            tail = "failed closed: data for the local route is never sent to the external destination"
        else:
            tail = "not sent elsewhere (routing.fallback_on_error is false)"
        return RouteUnavailable(f"upstream {where} failed ({type(exc).__name__}); {tail}")

    def can_fall_back(self, request: _Request) -> bool:
        return (
            request.decision.action == SEND
            and self.routing.fallback_on_error
            and self.routing.local_base_url is not None
        )

    def record(self, request: _Request, kwargs: dict[str, Any], response: Any, output_chars: int,
               failed: bool = False, usage: dict[str, Any] | None = None) -> None:  # fmt: skip
        """Store the decision as a runtime flow with its tokens and cost (never the text)."""
        if self.journal is None:
            return
        decision = request.decision
        tokens = _response_tokens(response, usage)
        estimated = tokens is None
        if tokens is None:
            tokens = (estimate_tokens(request.sent_chars), estimate_tokens(output_chars))
        if decision.action == BLOCK or failed:
            tokens = (tokens[0], 0) if not failed else (0, 0)
        flow = decision.assessed.flow
        model = kwargs.get("model")
        if decision.action == REROUTE:
            price = self.prices.lookup(self.local.destination, self.local.kind, model)
        else:
            price = self.prices.lookup(flow.destination.id, flow.destination.kind, model)
        cost = price.cost(*tokens) if price and decision.action != BLOCK and not failed else Decimal(0)
        now = datetime.now(UTC)
        self.journal.record(
            decision.assessed,
            {
                "model": model,
                "occurred_at": now,
                "day": now.date().isoformat(),
                "input_tokens": tokens[0],
                "output_tokens": tokens[1],
                "tokens_estimated": estimated,
                "cost": cost,
                "currency": self.prices.currency,
                "price_id": price.id if price else None,
                "action": decision.action + ("_failed" if failed else ""),
                "routed_to": self.local.destination if decision.action == REROUTE else None,
            },
        )

    def flush(self) -> None:
        """Wait until every decision so far is stored."""
        if self.journal is not None:
            self.journal.flush()


@dataclass(frozen=True, slots=True)
class _Request:
    """One guarded call in flight: its decision and how much text it sent."""

    decision: RuntimeDecision
    sent_chars: int


class _Proxy:
    """The wrapped client, or one of its resources: guarded calls intercepted, the rest passed through."""

    def __init__(self, target: Any, path: tuple[str, ...], state: Guard) -> None:
        self._target = target
        self._path = path
        self._guard = state

    @property
    def auditor_guard(self) -> Guard:
        """The guard's state (``flush()``, the judge, the journal)."""
        return self._guard

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        path = (*self._path, name)
        if path in self._guard.calls:
            return _guarded_call(self._guard, path, attr)
        if any(call[: len(path)] == path for call in self._guard.calls):
            return _Proxy(attr, path, self._guard)
        return attr

    def __repr__(self) -> str:
        return f"<guarded {self._target!r}>"


def _guarded_call(state: Guard, path: tuple[str, ...], original: Callable[..., Any]) -> Callable[..., Any]:
    if state.is_async or inspect.iscoroutinefunction(inspect.unwrap(original)):

        async def acall(*args: Any, **kwargs: Any) -> Any:
            request, send = state.prepare(path, kwargs)
            try:
                response = await state.target(path, request, original)(*args, **send)
            except Exception as exc:
                if isinstance(exc, (PolicyViolation, RouteUnavailable)):
                    raise
                if state.can_fall_back(request):
                    response = await _local_call(state, path)(*args, **send)
                else:
                    raise state.failed(request, send, exc) from exc
            if send.get("stream"):
                return _AsyncRecordingStream(response, state, request, send)
            state.record(request, send, response, 0)
            return response

        return acall

    def call(*args: Any, **kwargs: Any) -> Any:
        request, send = state.prepare(path, kwargs)
        try:
            response = state.target(path, request, original)(*args, **send)
        except Exception as exc:
            if isinstance(exc, (PolicyViolation, RouteUnavailable)):
                raise
            if state.can_fall_back(request):
                response = _local_call(state, path)(*args, **send)
            else:
                raise state.failed(request, send, exc) from exc
        if send.get("stream"):
            return _RecordingStream(response, state, request, send)
        state.record(request, send, response, 0)
        return response

    return call


def _local_call(state: Guard, path: tuple[str, ...]) -> Callable[..., Any]:
    node = state.local_client()
    for part in path:
        node = getattr(node, part)
    return node


class _StreamTally:
    def __init__(self) -> None:
        self.chars = 0
        self.usage: dict[str, Any] | None = None

    def see(self, event: Any) -> None:
        """Output text and usage from an OpenAI chunk or an Anthropic stream event."""
        for choice in getattr(event, "choices", None) or ():
            delta = getattr(choice, "delta", None)
            content = getattr(delta, "content", None) if delta is not None else getattr(choice, "text", None)
            if isinstance(content, str):
                self.chars += len(content)
        delta = getattr(event, "delta", None)
        if isinstance(getattr(delta, "text", None), str):
            self.chars += len(delta.text)
        usage = getattr(event, "usage", None) or getattr(getattr(event, "message", None), "usage", None)
        if usage is not None:
            found = _as_dict(usage)
            self.usage = {**(self.usage or {}), **{k: v for k, v in found.items() if v}}


class _RecordingStream:
    """A streamed response passed through chunk by chunk; the decision is stored when it ends."""

    def __init__(self, stream: Any, state: Guard, request: _Request, kwargs: dict[str, Any]) -> None:
        self._stream, self._state, self._request, self._kwargs = stream, state, request, kwargs
        self._tally = _StreamTally()
        self._done = False

    def __iter__(self) -> _RecordingStream:
        return self

    def __next__(self) -> Any:
        try:
            event = next(self._stream)
        except StopIteration:
            self._finish()
            raise
        self._tally.see(event)
        return event

    def __enter__(self) -> _RecordingStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._finish()
        closer = getattr(self._stream, "close", None)
        if closer is not None:
            closer()

    def _finish(self) -> None:
        if not self._done:
            self._done = True
            self._state.record(self._request, self._kwargs, None, self._tally.chars, usage=self._tally.usage)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _AsyncRecordingStream:
    """The async counterpart of ``_RecordingStream``."""

    def __init__(self, stream: Any, state: Guard, request: _Request, kwargs: dict[str, Any]) -> None:
        self._stream, self._state, self._request, self._kwargs = stream, state, request, kwargs
        self._tally = _StreamTally()
        self._done = False

    def __aiter__(self) -> _AsyncRecordingStream:
        return self

    async def __anext__(self) -> Any:
        try:
            event = await self._stream.__anext__()
        except StopAsyncIteration:
            self._finish()
            raise
        self._tally.see(event)
        return event

    async def __aenter__(self) -> _AsyncRecordingStream:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        self._finish()
        closer = getattr(self._stream, "close", None)
        if closer is not None:
            result = closer()
            if inspect.isawaitable(result):
                await result

    def _finish(self) -> None:
        if not self._done:
            self._done = True
            self._state.record(self._request, self._kwargs, None, self._tally.chars, usage=self._tally.usage)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def extract_texts(value: Any) -> list[str]:
    """Every string a request sends: message contents (strings, or text parts), a prompt, inputs."""
    texts: list[str] = []
    _collect(value, texts)
    return texts


def _collect(value: Any, texts: list[str]) -> None:
    if isinstance(value, str):
        if value.strip():
            texts.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("content", "text", "input", "prompt", "arguments", "output") or isinstance(item, (list, dict)):
                _collect(item, texts)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, texts)


def replace_texts(value: Any, replacements: Any) -> Any:
    """``value`` rebuilt with each text ``extract_texts`` finds replaced, in the same order."""
    if isinstance(value, str):
        return next(replacements) if value.strip() else value
    if isinstance(value, dict):
        return {
            key: replace_texts(item, replacements)
            if key in ("content", "text", "input", "prompt", "arguments", "output") or isinstance(item, (list, dict))
            else item
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(replace_texts(item, replacements) for item in value)
    return value


def _as_dict(usage: Any) -> dict[str, Any]:
    if isinstance(usage, dict):
        return usage
    dump = getattr(usage, "model_dump", None)
    if dump is not None:
        return dump()
    return {k: v for k, v in vars(usage).items() if not k.startswith("_")}


def _response_tokens(response: Any, usage: dict[str, Any] | None) -> tuple[int, int] | None:
    if usage is None and response is not None and getattr(response, "usage", None) is not None:
        usage = _as_dict(response.usage)
    return usage_tokens(usage) if usage else None
