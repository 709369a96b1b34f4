"""An Anthropic Messages request answered by the site's local OpenAI-compatible model.

When the guard reroutes a request of an Anthropic client, the local route speaks OpenAI's
chat completions, not Anthropic's Messages API. ``LocalMessages.create(**kwargs)`` takes the
arguments of ``anthropic.Anthropic().messages.create``, sends the equivalent chat completions
request to ``local_base_url`` (over ``httpx``, which the Anthropic SDK already depends on), and
hands back what the Anthropic client would have: a ``Message``, or with ``stream=True`` an
iterator of ``RawMessageStreamEvent`` (``message_start``, ``content_block_*``,
``message_delta``, ``message_stop``). ``AsyncLocalMessages`` is the same for
``AsyncAnthropic``.

Translated: ``system`` (a string or text blocks), text, image (base64 or URL), ``tool_use``
and ``tool_result`` blocks, ``tools`` and ``tool_choice``, ``max_tokens``,
``stop_sequences``, ``temperature``, ``top_p``; back: text and tool calls, the stop reason
and the usage. Dropped, as a chat completions server has no equivalent: ``top_k``,
``metadata``, ``thinking`` and any other argument, cache control, documents and server tools.
Nothing is dropped silently: ``untranslated(kwargs)`` names what a request loses, and the
guard records it in the request's runtime flow. (``top_k`` is not passed on as an extension:
vLLM and llama.cpp read one, but an OpenAI-compatible server may reject an unknown field,
and a rerouted request that fails is not sent anywhere else.)
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Generator, Iterator
from typing import Any

__all__ = ["AsyncLocalMessages", "LocalMessages", "chat_request", "message_from_chat", "untranslated"]

_STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "function_call": "tool_use"}
# The arguments of ``messages.create`` that ``chat_request`` carries over (``model`` is the local one).
TRANSLATED = frozenset(
    {"model", "messages", "system", "max_tokens", "temperature", "top_p", "stop_sequences", "tools", "tool_choice",
     "stream"}
)  # fmt: skip
_TRANSLATED_BLOCKS = frozenset({"text", "image", "tool_use", "tool_result"})
_OPTIONS = frozenset({"timeout"})  # the local route has its own (routing.timeout_seconds): not a loss


def untranslated(kwargs: dict[str, Any]) -> tuple[str, ...]:
    """What of an Anthropic request the local route does not get, sorted: arguments with no
    chat completions equivalent (``top_k``, ``thinking``...), ``cache_control``, content blocks
    of other types (``content:document``) and tools with no input schema (``tools:web_search``)."""
    kwargs = _with_extra_body(kwargs)
    dropped = {name for name, value in kwargs.items() if name not in TRANSLATED | _OPTIONS and _given(value)}
    system = kwargs.get("system")
    blocks = [] if isinstance(system, str) or not system else list(system)
    for message in kwargs.get("messages") or ():
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            blocks.extend(content)
    for block in blocks:
        block = block if isinstance(block, dict) else _as_dict(block)
        if block.get("cache_control"):
            dropped.add("cache_control")
        if block.get("type", "text") not in _TRANSLATED_BLOCKS:
            dropped.add(f"content:{block.get('type')}")
    for tool in kwargs.get("tools") or ():
        if isinstance(tool, dict) and not ("name" in tool and "input_schema" in tool):
            dropped.add(f"tools:{tool.get('type') or tool.get('name') or '?'}")
        if isinstance(tool, dict) and tool.get("cache_control"):
            dropped.add("cache_control")
    return tuple(sorted(dropped))


def _with_extra_body(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments with ``extra_body``'s fields among them, taking precedence as in the SDK
    (anthropic 2 takes ``temperature``, ``top_p`` and ``top_k`` only there)."""
    extra = kwargs.get("extra_body")
    if not isinstance(extra, dict):
        return kwargs
    return {**{k: v for k, v in kwargs.items() if k != "extra_body"}, **extra}


def _given(value: Any) -> bool:
    """An argument that was passed (None and the SDK's ``NOT_GIVEN``/``omit`` mean "not given")."""
    return value is not None and type(value).__name__ not in ("NotGiven", "Omit")


def chat_request(kwargs: dict[str, Any], model: str | None) -> dict[str, Any]:
    """The chat completions body for the arguments of an Anthropic ``messages.create`` call."""
    kwargs = _with_extra_body(kwargs)
    messages: list[dict[str, Any]] = []
    system = kwargs.get("system")
    if system:
        text = system if isinstance(system, str) else "\n\n".join(_block_text(b) for b in system)
        messages.append({"role": "system", "content": text})
    for message in kwargs.get("messages") or ():
        messages.extend(_chat_messages(message))
    body: dict[str, Any] = {"model": model or kwargs.get("model"), "messages": messages}
    if kwargs.get("max_tokens") is not None:
        body["max_tokens"] = kwargs["max_tokens"]
    for ours, theirs in (("temperature", "temperature"), ("top_p", "top_p"), ("stop_sequences", "stop")):
        if kwargs.get(ours) is not None:
            body[theirs] = kwargs[ours]
    tools = kwargs.get("tools")
    if tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t["name"],
                    "description": t.get("description", ""),
                    "parameters": t.get("input_schema") or {"type": "object"},
                },
            }
            for t in tools
            if "name" in t and "input_schema" in t
        ]
    choice = kwargs.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type"):
        kind = choice["type"]
        if kind == "tool":
            body["tool_choice"] = {"type": "function", "function": {"name": choice.get("name")}}
        else:
            body["tool_choice"] = {"auto": "auto", "any": "required", "none": "none"}.get(kind, "auto")
    if kwargs.get("stream"):
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def _chat_messages(message: dict[str, Any]) -> list[dict[str, Any]]:
    role = message.get("role", "user")
    content = message.get("content")
    if isinstance(content, str):
        return [{"role": role, "content": content}]
    parts: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for block in content or ():
        block = block if isinstance(block, dict) else _as_dict(block)
        kind = block.get("type")
        if kind == "text":
            parts.append({"type": "text", "text": block.get("text", "")})
        elif kind == "image":
            source = block.get("source") or {}
            if source.get("type") == "base64":
                url = f"data:{source.get('media_type')};base64,{source.get('data')}"
            else:
                url = source.get("url", "")
            parts.append({"type": "image_url", "image_url": {"url": url}})
        elif kind == "tool_use":
            tool_calls.append(
                {
                    "id": block.get("id"),
                    "type": "function",
                    "function": {"name": block.get("name"), "arguments": json.dumps(block.get("input", {}))},
                }
            )
        elif kind == "tool_result":
            inner = block.get("content")
            text = inner if isinstance(inner, str) else "\n".join(_block_text(b) for b in inner or ())
            results.append({"role": "tool", "tool_call_id": block.get("tool_use_id"), "content": text})
    out: list[dict[str, Any]] = list(results)  # tool results answer the previous turn's calls: first
    if parts or tool_calls:
        # text as one string (every OpenAI-compatible server reads it); parts only with an image,
        # and never for the assistant, whose content is text
        text_only = role == "assistant" or all(p["type"] == "text" for p in parts)
        chat: dict[str, Any] = {"role": role}
        chat["content"] = "\n\n".join(p["text"] for p in parts if p["type"] == "text") if text_only else parts
        if tool_calls:
            chat["tool_calls"] = tool_calls
        out.append(chat)
    return out


def _block_text(block: Any) -> str:
    block = block if isinstance(block, dict) else _as_dict(block)
    return str(block.get("text", "")) if block.get("type", "text") == "text" else ""


def _as_dict(value: Any) -> dict[str, Any]:
    dump = getattr(value, "model_dump", None)
    return dump() if dump is not None else dict(value)


def message_from_chat(body: dict[str, Any], model: str) -> Any:
    """An Anthropic ``Message`` from a chat completions response body."""
    from anthropic.types import Message

    if not isinstance(body, dict) or not isinstance(body.get("choices"), list) or not body["choices"]:
        raise ValueError("the local route's answer is not a chat completion")
    choice = body["choices"][0]
    message = choice.get("message") or {}
    content: list[dict[str, Any]] = []
    if message.get("content"):
        content.append({"type": "text", "text": message["content"]})
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        content.append(
            {
                "type": "tool_use",
                "id": call.get("id") or "toolu_local",
                "name": function.get("name"),
                "input": _arguments(function.get("arguments")),
            }
        )
    usage = body.get("usage") or {}
    return Message.model_validate(
        {
            "id": body.get("id") or "msg_local",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": _STOP_REASONS.get(choice.get("finish_reason") or "stop", "end_turn"),
            "stop_sequence": None,
            "usage": {
                "input_tokens": usage.get("prompt_tokens") or 0,
                "output_tokens": usage.get("completion_tokens") or 0,
            },
        }
    )


def _arguments(text: Any) -> Any:
    if isinstance(text, dict):
        return text
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class _EventMaker:
    """Chat completions chunks in, Anthropic stream events out (as dicts, then typed)."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.started = False
        self.block: tuple[str, int] | None = None  # ("text", 0) or ("tool", the chunk's tool index)
        self.index = -1
        self.stop_reason = "end_turn"
        self.usage: dict[str, int] = {"input_tokens": 0, "output_tokens": 0}

    def events(self, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if not self.started:
            self.started = True
            out.append(
                {
                    "type": "message_start",
                    "message": {
                        "id": chunk.get("id") or "msg_local",
                        "type": "message",
                        "role": "assistant",
                        "model": self.model,
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": {"input_tokens": 0, "output_tokens": 0},
                    },
                }
            )
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self.usage = {
                "input_tokens": usage.get("prompt_tokens") or 0,
                "output_tokens": usage.get("completion_tokens") or 0,
            }
        for choice in chunk.get("choices") or ():
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if delta.get("content"):
                out.extend(self._open(("text", 0), {"type": "text", "text": ""}))
                out.append(
                    {
                        "type": "content_block_delta",
                        "index": self.index,
                        "delta": {"type": "text_delta", "text": delta["content"]},
                    }
                )
            for call in delta.get("tool_calls") or ():
                function = call.get("function") or {}
                key = ("tool", call.get("index", 0))
                if self.block != key:
                    out.extend(
                        self._open(
                            key,
                            {
                                "type": "tool_use",
                                "id": call.get("id") or f"toolu_local_{key[1]}",
                                "name": function.get("name") or "",
                                "input": {},
                            },
                        )
                    )
                if function.get("arguments"):
                    out.append(
                        {
                            "type": "content_block_delta",
                            "index": self.index,
                            "delta": {"type": "input_json_delta", "partial_json": function["arguments"]},
                        }
                    )
            if choice.get("finish_reason"):
                self.stop_reason = _STOP_REASONS.get(choice["finish_reason"], "end_turn")
        return out

    def _open(self, key: tuple[str, int], block: dict[str, Any]) -> list[dict[str, Any]]:
        if self.block == key:
            return []
        out = self._close()
        self.block = key
        self.index += 1
        out.append({"type": "content_block_start", "index": self.index, "content_block": block})
        return out

    def _close(self) -> list[dict[str, Any]]:
        if self.block is None:
            return []
        self.block = None
        return [{"type": "content_block_stop", "index": self.index}]

    def end(self) -> list[dict[str, Any]]:
        out = [] if self.started else self.events({})
        out.extend(self._close())
        out.append(
            {
                "type": "message_delta",
                "delta": {"stop_reason": self.stop_reason, "stop_sequence": None},
                "usage": dict(self.usage),
            }
        )
        out.append({"type": "message_stop"})
        return out


def _typed(event: dict[str, Any]) -> Any:
    from anthropic.types import RawMessageStreamEvent
    from pydantic import TypeAdapter

    return _adapter(TypeAdapter, RawMessageStreamEvent).validate_python(event)


_ADAPTERS: dict[Any, Any] = {}


def _adapter(factory: Any, kind: Any) -> Any:
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = factory(kind)
    return _ADAPTERS[kind]


def _sse_data(line: str) -> dict[str, Any] | None:
    """The JSON of one ``data:`` line of a server-sent event stream (None for others and ``[DONE]``)."""
    if not line.startswith("data:"):
        return None
    data = line[5:].strip()
    if not data or data == "[DONE]":
        return None
    chunk = json.loads(data)
    if not isinstance(chunk, dict):
        raise ValueError("the local route streamed something that is not a chat completion chunk")
    return chunk


class _LocalRoute:
    """What the sync and async bridges share: the HTTP client to the local route, and the chat
    completions request an Anthropic call becomes."""

    _CLIENT = "Client"  # the httpx client class

    def __init__(self, base_url: str, api_key: str, timeout: float) -> None:
        import httpx

        self._client = getattr(httpx, self._CLIENT)(
            base_url=base_url.rstrip("/") + "/", timeout=timeout, headers={"Authorization": f"Bearer {api_key}"}
        )

    def _request(self, kwargs: dict[str, Any]) -> tuple[Any, str, bool]:
        """The HTTP request for ``messages.create(**kwargs)``, the model named in the answer, and
        whether it streams."""
        body = chat_request(kwargs, kwargs.get("model"))
        request = self._client.build_request("POST", "chat/completions", json=body)
        return request, str(body["model"]), bool(body.get("stream"))


class LocalMessages(_LocalRoute):
    """``messages.create`` of an Anthropic client, answered by an OpenAI-compatible server."""

    def create(self, **kwargs: Any) -> Any:
        request, model, streamed = self._request(kwargs)
        if not streamed:
            response = self._client.send(request)
            response.raise_for_status()
            return message_from_chat(response.json(), model)
        response = self._client.send(request, stream=True)  # sent now: a route that is down fails here
        if response.status_code >= 400:
            response.read()
            response.close()
            response.raise_for_status()
        return _EventStream(response, model)

    def close(self) -> None:
        self._client.close()


class AsyncLocalMessages(_LocalRoute):
    """The async counterpart of ``LocalMessages`` (for ``AsyncAnthropic``)."""

    _CLIENT = "AsyncClient"

    async def create(self, **kwargs: Any) -> Any:
        request, model, streamed = self._request(kwargs)
        if not streamed:
            response = await self._client.send(request)
            response.raise_for_status()
            return message_from_chat(response.json(), model)
        response = await self._client.send(request, stream=True)
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            response.raise_for_status()
        return _AsyncEventStream(response, model)

    async def close(self) -> None:
        await self._client.aclose()


class _TranslatedEvents:
    """What the sync and async event streams share: the HTTP response, and each line of it
    turned into typed Anthropic events (``_EventMaker``) as it comes."""

    def __init__(self, response: Any, model: str) -> None:
        self._response = response
        self._maker = _EventMaker(model)

    @property
    def response(self) -> Any:
        """The local route's HTTP response (``MessageStream.response`` reads it)."""
        return self._response

    def _line(self, line: str) -> Iterator[Any]:
        chunk = _sse_data(line)
        if chunk is not None:
            for event in self._maker.events(chunk):
                yield _typed(event)

    def _end(self) -> Iterator[Any]:
        for event in self._maker.end():
            yield _typed(event)


class _EventStream(_TranslatedEvents):
    """Anthropic stream events from a chat completions stream; closes the HTTP response at the end."""

    def __init__(self, response: Any, model: str) -> None:
        super().__init__(response, model)
        self._events = self._generate()

    def _generate(self) -> Generator[Any, None, None]:
        try:
            for line in self._response.iter_lines():
                yield from self._line(line)
            yield from self._end()
        finally:
            self._response.close()

    def __iter__(self) -> _EventStream:
        return self

    def __next__(self) -> Any:
        return next(self._events)

    def __enter__(self) -> _EventStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._events.close()
        self._response.close()


class _AsyncEventStream(_TranslatedEvents):
    """The async counterpart of ``_EventStream``."""

    def __init__(self, response: Any, model: str) -> None:
        super().__init__(response, model)
        self._events = self._generate()

    async def _generate(self) -> AsyncGenerator[Any, None]:
        try:
            async for line in self._response.aiter_lines():
                for event in self._line(line):
                    yield event
            for event in self._end():
                yield event
        finally:
            await self._response.aclose()

    def __aiter__(self) -> _AsyncEventStream:
        return self

    async def __anext__(self) -> Any:
        return await self._events.__anext__()

    async def __aenter__(self) -> _AsyncEventStream:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        await self._events.aclose()
        await self._response.aclose()
