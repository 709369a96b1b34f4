"""A tiny OpenAI-compatible server on 127.0.0.1 for the guard's and the guardrail's tests, and
for ``bench.guard_overhead`` (here, in the importable ``bench`` package, so both import it
without editing ``sys.path``).

It answers ``/v1/chat/completions`` (plain JSON, or server-sent events with ``stream``),
``/v1/embeddings``, ``/v1/models`` and Anthropic's ``/v1/messages`` (plain JSON, or Anthropic's
stream events with ``stream``), and keeps every request
it received so a test can say which server saw what. ``mode`` makes it misbehave:
``garbage`` (HTTP 200 with a body that is not JSON); ``delay`` makes it answer late.
``echo`` answers with the last message's text (``"<name> echoed: <text>"``), so a test can
see what came back; ``piece_size`` streams the answer in pieces of that many characters
(by words otherwise), so a placeholder can arrive cut in two.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a timeout test) is expected: no traceback on stderr."""


class FakeOpenAI:
    """``with FakeOpenAI("external") as server:`` serves at ``server.base_url`` until the block ends."""

    def __init__(
        self, name: str, mode: str = "ok", delay: float = 0.0, echo: bool = False, piece_size: int | None = None
    ) -> None:
        self.name = name
        self.mode = mode
        self.delay = delay
        self.echo = echo
        self.piece_size = piece_size
        self.requests: list[dict[str, Any]] = []
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reply_to(self, body: dict[str, Any]) -> str:
        if self.echo:
            last = (body.get("messages") or [{}])[-1].get("content")
            if isinstance(last, list):
                last = "".join(part.get("text", "") for part in last if isinstance(part, dict))
            return f"{self.name} echoed: {last}"
        return f"{self.name} answered {body.get('model')}"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes: with Nagle's algorithm on, the body waits
            # for the client's delayed ACK (40 ms on Linux), noise larger than what is measured
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._json({"object": "list", "data": [{"id": "m", "object": "model", "owned_by": server.name}]})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append({"path": self.path, "body": body})
                if server.delay:
                    time.sleep(server.delay)
                if server.mode == "garbage":
                    self._raw(b"<html>this is not an API</html>", "application/json")
                    return
                if self.path.endswith("/v1/messages") and body.get("stream"):
                    self._anthropic_stream(body, server.reply_to(body))
                    return
                if self.path.endswith("/v1/messages"):  # Anthropic's Messages API
                    self._json({"id": "msg_1", "type": "message", "role": "assistant", "model": body.get("model"),
                                "content": [{"type": "text", "text": server.reply_to(body)}],
                                "stop_reason": "end_turn", "stop_sequence": None,
                                "usage": {"input_tokens": 12, "output_tokens": 5}})  # fmt: skip
                    return
                if self.path.endswith("/embeddings"):
                    self._json({"object": "list", "model": body.get("model"),
                                "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}],
                                "usage": {"prompt_tokens": 3, "total_tokens": 3}})  # fmt: skip
                    return
                text = server.reply_to(body)
                prompt = sum(len(json.dumps(m)) for m in body.get("messages", [])) // 4
                if body.get("stream"):
                    self._stream(body, text, prompt)
                    return
                self._json({
                    "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": prompt, "completion_tokens": 7, "total_tokens": prompt + 7},
                })  # fmt: skip

            def _stream(self, body: dict[str, Any], text: str, prompt: int) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for piece in self._pieces(text):
                    chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": int(time.time()),
                             "model": body.get("model"),
                             "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}  # fmt: skip
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                end = [{"index": 0, "delta": {}, "finish_reason": "stop"}]
                last = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": body.get("model"), "choices": end}  # fmt: skip
                self.wfile.write(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()
                self.close_connection = True

            def _anthropic_stream(self, body: dict[str, Any], text: str) -> None:
                """Anthropic's server-sent events for one text block, in the order the API sends them."""
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                events: list[dict[str, Any]] = [
                    {"type": "message_start",
                     "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": body.get("model"),
                                 "content": [], "stop_reason": None, "stop_sequence": None,
                                 "usage": {"input_tokens": 12, "output_tokens": 1}}},
                    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                ]  # fmt: skip
                events += [
                    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
                    for piece in self._pieces(text)
                ]
                events += [
                    {"type": "content_block_stop", "index": 0},
                    {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                     "usage": {"output_tokens": 5}},
                    {"type": "message_stop"},
                ]  # fmt: skip
                for event in events:
                    self.wfile.write(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                self.close_connection = True

            def _pieces(self, text: str) -> list[str]:
                if server.piece_size:
                    return [text[i : i + server.piece_size] for i in range(0, len(text), server.piece_size)]
                return [w if i == 0 else " " + w for i, w in enumerate(text.split(" "))]

            def _json(self, payload: dict[str, Any]) -> None:
                self._raw(json.dumps(payload).encode(), "application/json")

            def _raw(self, data: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
