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
``AsyncOpenAI``, any OpenAI-compatible server), and ``messages.create`` and
``messages.stream`` of Anthropic clients, sync and async, ``stream=True`` included. Every
decision is stored as a runtime flow (masked excerpts and fingerprints; tokens and cost),
unless ``db=False``.

A request of an Anthropic client rerouted to the local model is translated to chat
completions and its answer back to a ``Message`` or Anthropic stream events
(``auditor.messages_bridge``); what the translation cannot carry (``top_k``, ``thinking``...)
is named in a step of the stored flow. Under ``redaction = "reversible"`` the placeholders in the
answer are restored before the caller sees it, streamed answers included
(``auditor.placeholders``); the mapping stays in this process's memory.

An upstream that fails (timeout, garbage) raises ``RouteUnavailable``; the request goes to
no other destination unless ``fallback_on_error = true`` sends allowed traffic to the local
route. A local route that is down fails closed: rerouted data never goes out instead.
"""

from __future__ import annotations

import collections
import dataclasses
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from auditor.config import ScanConfig
from auditor.model import AssessedFlow, Destination, Step
from auditor.placeholders import Placeholders, StreamRestorer, restore_in
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

if TYPE_CHECKING:  # SQLAlchemy loads only when the guard stores its decisions
    from auditor.store.journal import RuntimeJournal

__all__ = ["Guard", "PolicyViolation", "RouteUnavailable", "guard"]

# The calls that send data to a model, by client family, as attribute paths from the client,
# and the arguments that carry text to it: a system prompt is data too (Anthropic's ``system``,
# the Responses API's ``instructions``).
OPENAI_CALLS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("chat", "completions", "create"): ("messages",),
    ("completions", "create"): ("prompt",),
    ("embeddings", "create"): ("input",),
    ("responses", "create"): ("instructions", "input"),
}
ANTHROPIC_CALLS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("messages", "create"): ("system", "messages"),
    ("messages", "stream"): ("system", "messages"),
}
# Calls that return a stream manager and send when it is entered (``with client.messages.stream(...)``).
STREAM_HELPERS: set[tuple[str, ...]] = {("messages", "stream")}


def guard(
    client: Any,
    *,
    config: ScanConfig | None = None,
    db: str | bool | None = None,
    name: str = "guard",
    local_api_key: str | None = None,
    warm_up: bool = True,
    span_cache: int = 4096,
) -> Any:
    """Wrap ``client`` so each request is judged before it leaves (see the module docstring).

    ``db``: where runtime flows are stored (a URL or SQLite path; None: as ``auditor scan``
    finds it; False: not stored). ``local_api_key``: the key for the local route
    (default ``$AUDITOR_LOCAL_API_KEY``, else a placeholder: local servers rarely check).
    ``warm_up``: load the detector now (a few seconds), not on the first request.
    ``span_cache``: how many texts' spans to keep (keyed by HMAC; 0: none), so resent
    messages are detected once.
    """
    state = Guard(client, config=config, db=db, name=name, local_api_key=local_api_key, warm_up=warm_up,
                  span_cache=span_cache)  # fmt: skip
    return _Proxy(client, (), state)


class Guard:
    """The state behind one guarded client: judge, prices, local route, journal."""

    def __init__(self, client: Any, *, config: ScanConfig | None, db: str | bool | None, name: str,
                 local_api_key: str | None, warm_up: bool = False, span_cache: int = 4096) -> None:  # fmt: skip
        from auditor.planning import local_route
        from auditor.policy.prices import load_prices

        self.client = client
        self.judge = RuntimeJudge(config, span_cache=span_cache, warm_up=warm_up)
        self.routing = self.judge.routing
        self.prices = load_prices(self.judge.policy.site)
        self.local = local_route(self.routing, self.judge.policy.catalog)
        self.anthropic = type(client).__module__.split(".")[0] == "anthropic"
        self.calls = ANTHROPIC_CALLS if self.anthropic else OPENAI_CALLS
        # the SDKs wrap their async methods in sync decorators: ask the client, not the method
        self.is_async = inspect.iscoroutinefunction(getattr(type(client), "close", None))
        self.local_api_key = local_api_key or os.environ.get("AUDITOR_LOCAL_API_KEY", "auditor-local")
        self._local_client: Any = None
        self._destination: tuple[str, Destination] | None = None
        self.journal: RuntimeJournal | None = None
        if db is not False:
            from auditor.store import open_database
            from auditor.store.journal import RuntimeJournal

            url = db if isinstance(db, str) and db else None  # None (or True): as `auditor scan` finds it
            self.journal = RuntimeJournal(open_database(url, [str(os.getcwd())], write=True), name)

    @property
    def destination(self) -> Destination:
        """Where the wrapped client really sends: its base URL, as the catalog resolves it."""
        url = str(self.client.base_url)
        if self._destination is None or self._destination[0] != url:  # resolved once per base URL
            provider = "anthropic" if self.anthropic else None
            self._destination = (url, self.judge.destination(url, provider=provider))
        return self._destination[1]

    def local_client(self) -> Any:
        """A copy of the wrapped client pointed at the local route (same class, sync or async);
        for an Anthropic client, its ``messages.create`` translated to chat completions."""
        if self._local_client is None and self.anthropic:
            from auditor.messages_bridge import AsyncLocalMessages, LocalMessages

            bridge = AsyncLocalMessages if self.is_async else LocalMessages
            assert self.routing.local_base_url is not None
            messages = bridge(self.routing.local_base_url, self.local_api_key, self.routing.timeout_seconds)
            self._local_client = _Namespace(messages=messages)
        if self._local_client is None:
            self._local_client = self.client.copy(
                base_url=self.routing.local_base_url, api_key=self.local_api_key, max_retries=0,
                timeout=self.routing.timeout_seconds,
            )  # fmt: skip
        return self._local_client

    def prepare(self, path: tuple[str, ...], kwargs: dict[str, Any]) -> tuple[_Request, dict[str, Any]]:
        """The decision and the arguments to send (redacted or with the local model)."""
        fields = [f for f in self.calls[path] if kwargs.get(f) is not None]
        texts = [text for f in fields for text in extract_texts(kwargs[f])]
        call = ("anthropic." if self.anthropic else "openai.") + ".".join(path)
        decision = self.judge.judge(texts, self.destination, call, kwargs.get("model"))
        request = _Request(decision, sum(len(t) for t in texts))
        if decision.action == BLOCK:
            self.record(request, kwargs, None, 0)
            raise decision.violation()
        if decision.action == REDACT:
            redacted = iter(decision.redacted or ())  # in the order extract_texts read the fields
            kwargs = {**kwargs, **{f: replace_texts(kwargs[f], redacted) for f in fields}}
        if decision.action == REROUTE:
            request = self._translated(request, kwargs)
            kwargs = {**kwargs, "model": decision.local_model or kwargs.get("model")}
        return request, kwargs

    def _translated(self, request: _Request, kwargs: dict[str, Any]) -> _Request:
        """For an Anthropic request bound for the local route: what the translation to chat
        completions cannot carry, so the stored flow says it was dropped."""
        if not self.anthropic:
            return request
        from auditor.messages_bridge import untranslated

        return dataclasses.replace(request, dropped=untranslated(kwargs))

    def target(self, path: tuple[str, ...], request: _Request, original: Callable[..., Any]) -> Callable[..., Any]:
        if request.decision.action != REROUTE:
            return original
        return _local_call(self, path)

    def restore(self, request: _Request, response: Any) -> Any:
        """The answer with the request's placeholders restored (reversible redaction), in place."""
        placeholders = request.decision.placeholders
        if placeholders is None or response is None:
            return response
        restore_in(response, placeholders)
        placeholders.forget()
        return response

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

    def fall_back(self, request: _Request, kwargs: dict[str, Any]) -> tuple[_Request, dict[str, Any]]:
        """The allowed request, sent to the local route after its upstream failed (``fallback_on_error``):
        with the local model from ``model_map``, and recorded as rerouted there."""
        decision = request.decision
        model = self.routing.local_model(kwargs.get("model")) or kwargs.get("model")
        moved = dataclasses.replace(decision, action=REROUTE, local_model=model, reason="fallback_on_error")
        return self._translated(_Request(moved, request.sent_chars), kwargs), {**kwargs, "model": model}

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
        assessed = decision.assessed
        if request.dropped:
            step = Step(
                flow.sink.location,
                "translated to chat completions for the local route; dropped (no equivalent): "
                + ", ".join(request.dropped),
            )
            assessed = AssessedFlow(dataclasses.replace(flow, steps=(*flow.steps, step)), assessed.verdict)
        self.journal.record(
            assessed,
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
    dropped: tuple[str, ...] = ()  # arguments the local route did not get (an Anthropic request rerouted)


class _Namespace:
    """An object whose attributes are the keywords it was made with (the local Anthropic route)."""

    def __init__(self, **attributes: Any) -> None:
        self.__dict__.update(attributes)


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
        if path in STREAM_HELPERS and path in self._guard.calls:
            return _guarded_stream_helper(self._guard, path, attr)
        if path in self._guard.calls:
            return _guarded_call(self._guard, path, attr)
        if any(call[: len(path)] == path for call in self._guard.calls):
            return _Proxy(attr, path, self._guard)
        return attr

    def __repr__(self) -> str:
        return f"<guarded {self._target!r}>"


def _fall_back_or_raise(
    state: Guard, request: _Request, send: dict[str, Any], exc: Exception
) -> tuple[_Request, dict[str, Any]]:
    """After a send failed with ``exc``: the guard's own errors go up as they are; allowed
    traffic moves to the local route under ``fallback_on_error`` (the request to try next);
    anything else is recorded and raised as ``RouteUnavailable``."""
    if isinstance(exc, (PolicyViolation, RouteUnavailable)):
        raise exc
    if not state.can_fall_back(request):
        raise state.failed(request, send, exc) from exc
    return state.fall_back(request, send)


def _guarded_call(state: Guard, path: tuple[str, ...], original: Callable[..., Any]) -> Callable[..., Any]:
    if state.is_async or inspect.iscoroutinefunction(inspect.unwrap(original)):

        async def acall(*args: Any, **kwargs: Any) -> Any:
            request, send = state.prepare(path, kwargs)
            try:
                response = await state.target(path, request, original)(*args, **send)
            except Exception as exc:
                request, send = _fall_back_or_raise(state, request, send, exc)
                try:
                    response = await _local_call(state, path)(*args, **send)
                except Exception as again:
                    raise state.failed(request, send, again) from again
            if send.get("stream"):
                return _AsyncRecordingStream(response, state, request, send)
            state.record(request, send, response, 0)
            return state.restore(request, response)

        return acall

    def call(*args: Any, **kwargs: Any) -> Any:
        request, send = state.prepare(path, kwargs)
        try:
            response = state.target(path, request, original)(*args, **send)
        except Exception as exc:
            request, send = _fall_back_or_raise(state, request, send, exc)
            try:
                response = _local_call(state, path)(*args, **send)
            except Exception as again:
                raise state.failed(request, send, again) from again
        if send.get("stream"):
            return _RecordingStream(response, state, request, send)
        state.record(request, send, response, 0)
        return state.restore(request, response)

    return call


def _guarded_stream_helper(state: Guard, path: tuple[str, ...], original: Callable[..., Any]) -> Callable[..., Any]:
    """``messages.stream(**kwargs)`` of a guarded Anthropic client: a stream manager that judges
    the request when it is entered, when the SDK's own would send it."""

    def stream(**kwargs: Any) -> Any:
        manager = _AsyncMessageStreamManager if state.is_async else _MessageStreamManager
        return manager(state, path, original, kwargs)

    _check_stream_shape()
    return stream


def _check_stream_shape() -> None:
    """Refuse ``messages.stream`` before anything is sent if this anthropic version's
    ``MessageStream`` no longer reads its events from ``_raw_stream``: the guard records the
    stream and restores placeholders by putting its own reader there (the SDK offers no public
    seam), and with another shape the answer would arrive unrecorded and unrestored."""
    from anthropic.lib.streaming import AsyncMessageStream, MessageStream

    read = []

    def events() -> Any:
        read.append(True)
        yield from ()

    probe = _sdk_stream(MessageStream, iter(()))
    if hasattr(probe, "_raw_stream") and hasattr(_sdk_stream(AsyncMessageStream, iter(())), "_raw_stream"):
        probe._raw_stream = events()
        list(probe)
    if not read:
        import anthropic

        raise NotImplementedError(
            f"auditor.guard cannot follow messages.stream() of anthropic {anthropic.__version__}; "
            "use messages.create(stream=True), which it guards"
        )


class _StreamManager:
    """A guarded ``messages.stream(...)`` before it is entered: the call and its arguments."""

    def __init__(
        self, state: Guard, path: tuple[str, ...], original: Callable[..., Any], kwargs: dict[str, Any]
    ) -> None:
        self._state, self._path, self._original, self._kwargs = state, path, original, kwargs
        self._stream: Any = None


class _MessageStreamManager(_StreamManager):
    """What ``with client.messages.stream(...) as stream`` enters: the SDK's ``MessageStream``
    (``text_stream``, ``get_final_message()``...) over the guarded event stream.

    Sent or redacted, the request goes out through the SDK's own ``messages.stream`` (same body
    and headers), and the guard's recorder is put under the ``MessageStream`` it returns, so
    placeholders are restored before the SDK builds its message; rerouted, the local route's
    translated events are handed to a ``MessageStream`` made here. The decision is stored when
    the stream ends or is closed, as for ``create(stream=True)``.
    """

    def __enter__(self) -> Any:
        state = self._state
        request, send = state.prepare(self._path, self._kwargs)
        try:
            self._stream = self._open(request, send)
        except Exception as exc:
            request, send = _fall_back_or_raise(state, request, send, exc)
            try:
                self._stream = self._open(request, send)
            except Exception as again:
                raise state.failed(request, send, again) from again
        return self._stream

    def _open(self, request: _Request, send: dict[str, Any]) -> Any:
        from anthropic.lib.streaming import MessageStream

        if request.decision.action == REROUTE:
            events = _local_call(self._state, ("messages", "create"))(**{**send, "stream": True})
            return _sdk_stream(MessageStream, _RecordingStream(events, self._state, request, send))
        stream = self._original(**send).__enter__()
        stream._raw_stream = _RecordingStream(stream._raw_stream, self._state, request, send)
        return stream

    def __exit__(self, *exc: Any) -> None:
        if self._stream is not None:
            self._stream.close()


class _AsyncMessageStreamManager(_StreamManager):
    """The async counterpart of ``_MessageStreamManager`` (``async with``, for ``AsyncAnthropic``)."""

    async def __aenter__(self) -> Any:
        state = self._state
        request, send = state.prepare(self._path, self._kwargs)
        try:
            self._stream = await self._open(request, send)
        except Exception as exc:
            request, send = _fall_back_or_raise(state, request, send, exc)
            try:
                self._stream = await self._open(request, send)
            except Exception as again:
                raise state.failed(request, send, again) from again
        return self._stream

    async def _open(self, request: _Request, send: dict[str, Any]) -> Any:
        from anthropic.lib.streaming import AsyncMessageStream

        if request.decision.action == REROUTE:
            events = await _local_call(self._state, ("messages", "create"))(**{**send, "stream": True})
            return _sdk_stream(AsyncMessageStream, _AsyncRecordingStream(events, self._state, request, send))
        stream = await self._original(**send).__aenter__()
        stream._raw_stream = _AsyncRecordingStream(stream._raw_stream, self._state, request, send)
        return stream

    async def __aexit__(self, *exc: Any) -> None:
        if self._stream is not None:
            await self._stream.close()


def _sdk_stream(kind: Any, events: Any) -> Any:
    """The SDK's (Async)MessageStream over ``events``; anthropic 2 added ``output_format``
    (structured output, which the local route does not get: recorded as dropped)."""
    if "output_format" in inspect.signature(kind).parameters:
        from anthropic import NOT_GIVEN

        return kind(events, output_format=NOT_GIVEN)
    return kind(events)


def _local_call(state: Guard, path: tuple[str, ...]) -> Callable[..., Any]:
    node: Any = state.local_client()
    for part in path[:-1]:
        node = getattr(node, part)
    call: Callable[..., Any] = getattr(node, path[-1])
    return call


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
        text = getattr(getattr(event, "delta", None), "text", None)
        if isinstance(text, str):
            self.chars += len(text)
        usage = getattr(event, "usage", None) or getattr(getattr(event, "message", None), "usage", None)
        if usage is not None:
            found = _as_dict(usage)
            self.usage = {**(self.usage or {}), **{k: v for k, v in found.items() if v}}


class _EventRestorer:
    """Placeholders restored in a stream's events, in place: OpenAI chat and completion chunks
    (per choice, and each tool call's arguments), Anthropic ``text_delta``s (per content
    block) and the Responses API's ``output_text`` deltas. A placeholder cut across events is
    held back until the next event completes it or its choice or block ends.
    """

    def __init__(self, placeholders: Placeholders) -> None:
        self._placeholders = placeholders
        self._streams: dict[tuple[Any, ...], StreamRestorer] = {}
        self._last: dict[tuple[Any, ...], Any] = {}  # the latest event of each stream, to carry a held tail

    def _restorer(self, key: tuple[Any, ...]) -> StreamRestorer:
        if key not in self._streams:
            self._streams[key] = self._placeholders.stream()
        return self._streams[key]

    def events(self, event: Any) -> list[Any]:
        """What to hand on for one upstream event: the event restored, with any tail it ended."""
        out = [event]
        delta: Any
        key: tuple[Any, ...]
        for choice in getattr(event, "choices", None) or ():
            delta = getattr(choice, "delta", None)
            holder, field = (delta, "content") if delta is not None else (choice, "text")
            key = ("choice", getattr(choice, "index", 0))
            restorer = self._restorer(key)
            content = getattr(holder, field, None)
            if isinstance(content, str):
                setattr(holder, field, restorer.feed(content))
            for call in (getattr(delta, "tool_calls", None) or ()) if delta is not None else ():
                function = getattr(call, "function", None)
                if function is not None and isinstance(getattr(function, "arguments", None), str):
                    # JSON arguments end in a brace: nothing is held back once they are whole
                    function.arguments = self._restorer(("tool", key[1], call.index)).feed(function.arguments)
            if getattr(choice, "finish_reason", None):
                tail = restorer.flush()
                if tail:
                    setattr(holder, field, (getattr(holder, field, None) or "") + tail)
        kind = getattr(event, "type", None)
        delta = getattr(event, "delta", None)
        if kind == "content_block_delta" and getattr(delta, "type", None) == "text_delta":
            key = ("block", event.index)
            delta.text = self._restorer(key).feed(delta.text)
            self._last[key] = event
        elif kind == "content_block_stop":
            out = self._tail(("block", event.index)) + out
        elif kind == "response.output_text.delta" and isinstance(delta, str):
            key = ("output", getattr(event, "item_id", None), getattr(event, "content_index", 0))
            event.delta = self._restorer(key).feed(delta)
            self._last[key] = event
        elif kind == "response.output_text.done":
            key = ("output", getattr(event, "item_id", None), getattr(event, "content_index", 0))
            out = self._tail(key) + out
            if isinstance(getattr(event, "text", None), str):
                event.text = self._placeholders.restore(event.text)
        elif kind in ("message_start", "message_delta", "response.completed"):
            restore_in(event, self._placeholders)
        return out

    def _tail(self, key: tuple[Any, ...]) -> list[Any]:
        """A copy of the stream's last event carrying its held tail (an Anthropic delta), if any."""
        restorer = self._streams.get(key)
        last = self._last.get(key)
        if restorer is None or not restorer.holding or last is None:
            return []
        copy = last.model_copy(deep=True)
        if key[0] == "block":
            copy.delta.text = restorer.flush()
        else:
            copy.delta = restorer.flush()
        return [copy]

    def finish(self, last: Any) -> list[Any]:
        """At the end of the stream: what is still held, in a copy of the last event (if any)."""
        if last is None or not any(r.holding for r in self._streams.values()):
            return []
        tails = []
        for key in list(self._streams):
            if key[0] in ("block", "output") and self._streams[key].holding:
                tails.extend(self._tail(key))
            elif key[0] == "choice" and self._streams[key].holding and getattr(last, "choices", None):
                copy = last.model_copy(deep=True)
                choice = copy.choices[0]
                choice.index = key[1]
                holder = getattr(choice, "delta", None)
                tail = self._streams[key].flush()
                if holder is not None:
                    holder.content = tail
                    holder.tool_calls = None
                else:
                    choice.text = tail
                tails.append(copy)
        return tails


class _StreamRecorder:
    """What the sync and async recorders share: each upstream event is tallied (output text,
    usage) and has its placeholders restored on the way through; the decision is stored once,
    when the stream ends or is closed. The subclasses only pull events, sync or async."""

    def __init__(self, stream: Any, state: Guard, request: _Request, kwargs: dict[str, Any]) -> None:
        self._stream, self._state, self._request, self._kwargs = stream, state, request, kwargs
        self._tally = _StreamTally()
        self._done = False
        placeholders = request.decision.placeholders
        self._restorer = _EventRestorer(placeholders) if placeholders is not None else None
        self._ready: collections.deque[Any] = collections.deque()
        self._last: Any = None

    def _take(self, event: Any) -> None:
        """One upstream event: tallied, then queued restored (with any tail it ended)."""
        self._tally.see(event)
        self._last = event
        self._ready.extend(self._restorer.events(event) if self._restorer is not None else (event,))

    def _ended(self) -> bool:
        """The upstream stream is over: queue what the restorer still holds. True when that
        left events to hand on (the end is then signalled on the next pull); else the
        decision is stored and the caller ends the iteration."""
        if self._restorer is not None:
            self._ready.extend(self._restorer.finish(self._last))
            self._restorer = None
            if self._ready:
                return True
        self._finish()
        return False

    def _finish(self) -> None:
        if not self._done:
            self._done = True
            self._state.record(self._request, self._kwargs, None, self._tally.chars, usage=self._tally.usage)
            if self._request.decision.placeholders is not None:
                self._request.decision.placeholders.forget()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _RecordingStream(_StreamRecorder):
    """A streamed response passed through chunk by chunk; the decision is stored when it ends."""

    def __iter__(self) -> _RecordingStream:
        return self

    def __next__(self) -> Any:
        while not self._ready:
            try:
                event = next(self._stream)
            except StopIteration:
                if self._ended():
                    break
                raise
            self._take(event)
        return self._ready.popleft()

    def __enter__(self) -> _RecordingStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._finish()
        closer = getattr(self._stream, "close", None)
        if closer is not None:
            closer()


class _AsyncRecordingStream(_StreamRecorder):
    """The async counterpart of ``_RecordingStream``."""

    def __aiter__(self) -> _AsyncRecordingStream:
        return self

    async def __anext__(self) -> Any:
        while not self._ready:
            try:
                event = await self._stream.__anext__()
            except StopAsyncIteration:
                if self._ended():
                    break
                raise
            self._take(event)
        return self._ready.popleft()

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
        dumped: dict[str, Any] = dump()
        return dumped
    return {k: v for k, v in vars(usage).items() if not k.startswith("_")}


def _response_tokens(response: Any, usage: dict[str, Any] | None) -> tuple[int, int] | None:
    if usage is None and response is not None and getattr(response, "usage", None) is not None:
        usage = _as_dict(response.usage)
    return usage_tokens(usage) if usage else None
