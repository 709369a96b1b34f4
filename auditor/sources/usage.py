"""Tokens of a logged request: from the response's ``usage``, else estimated from its text.

Counted, in this order: OpenAI ``usage.prompt_tokens``/``completion_tokens`` (Chat
Completions), ``usage.input_tokens``/``output_tokens`` (Anthropic Messages, OpenAI
Responses; Anthropic's cache writes and reads are input too), and LiteLLM's standard logging
payload (``prompt_tokens``/``completion_tokens`` at the top, or ``metadata.usage_object``),
at the top of the record or under ``response``/``body``. A logged ``response_cost`` is never
used: cost is recomputed from the price table.

Without usage, the tokens are estimated from the text as ``ceil(characters / 4)``, the rule
of thumb the vendors quote for English, and marked as an estimate. No tokenizer is loaded:
tiktoken fetches its encodings from the network on first use.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from auditor.model import Usage
from auditor.sources.logformats import at

CHARS_PER_TOKEN = 4
_USAGE_PLACES = ("/usage", "/response/usage", "/body/usage", "/response_body/usage", "/metadata/usage_object")
_TIME_PLACES = ("/startTime", "/start_time", "/timestamp", "/created_at", "/createdAt", "/time", "/created",
                "/response/created", "/body/created", "/startTime")  # fmt: skip
_TAG_PLACES = ("/request_tags", "/metadata/tags", "/tags", "/metadata/requester_metadata/tags")
_RESPONSE_TEXT = (
    "/response/choices/0/message/content",
    "/choices/0/message/content",
    "/response/content/0/text",
    "/content/0/text",
    "/response/output_text",
    "/completion",
)


def estimate_tokens(chars: int) -> int:
    """Tokens in ``chars`` characters of text, by the four-characters-a-token rule (rounded up)."""
    return -(-chars // CHARS_PER_TOKEN)


def usage_of(record: Any, prompt_chars: int) -> Usage | None:
    """The tokens of ``record``; None when it has no usage and no text to estimate from.

    ``prompt_chars`` is the length of what the record sent to the model (the scanned content).
    """
    if not isinstance(record, dict):
        return None
    day = day_of(record)
    tags = _tags(record)
    counted = logged_tokens(record)
    if counted is not None:
        return Usage(counted[0], counted[1], False, day, tags)
    response_chars = sum(len(v) for v in (at(record, p) for p in _RESPONSE_TEXT) if isinstance(v, str))
    if prompt_chars <= 0 and response_chars <= 0:
        return None
    return Usage(estimate_tokens(prompt_chars), estimate_tokens(response_chars), True, day, tags)


def logged_tokens(record: dict[str, Any]) -> tuple[int, int] | None:
    """(input, output) tokens as the provider counted them, or None when nothing was logged."""
    if _count(record.get("prompt_tokens")) is not None or _count(record.get("completion_tokens")) is not None:
        return _count(record.get("prompt_tokens")) or 0, _count(record.get("completion_tokens")) or 0
    for place in _USAGE_PLACES:
        usage = at(record, place)
        if isinstance(usage, dict):
            found = usage_tokens(usage)
            if found is not None:
                return found
    return None


def usage_tokens(usage: dict[str, Any]) -> tuple[int, int] | None:
    """(input, output) from one ``usage`` object of OpenAI, Anthropic or LiteLLM."""
    prompt, completion = _count(usage.get("prompt_tokens")), _count(usage.get("completion_tokens"))
    if prompt is not None or completion is not None:
        return prompt or 0, completion or 0
    inp, out = _count(usage.get("input_tokens")), _count(usage.get("output_tokens"))
    if inp is not None or out is not None:
        cached = sum(_count(usage.get(k)) or 0 for k in ("cache_creation_input_tokens", "cache_read_input_tokens"))
        return (inp or 0) + cached, out or 0
    return None


def day_of(record: dict[str, Any]) -> str | None:
    """The UTC date of the request: epoch seconds (LiteLLM ``startTime``, OpenAI ``created``) or ISO text."""
    for place in _TIME_PLACES:
        value = at(record, place)
        if isinstance(value, bool) or value is None:
            continue
        try:
            if isinstance(value, (int, float)):
                seconds = value / 1000 if value > 1e11 else value  # milliseconds
                return datetime.fromtimestamp(seconds, UTC).date().isoformat()
            if isinstance(value, str) and value[:4].isdigit():
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
                if moment.tzinfo is not None:
                    moment = moment.astimezone(UTC)
                return moment.date().isoformat()
        except (ValueError, OverflowError, OSError):
            continue
    return None


def _tags(record: dict[str, Any]) -> tuple[str, ...]:
    for place in _TAG_PLACES:
        value = at(record, place)
        if isinstance(value, list):
            return tuple(str(v) for v in value if isinstance(v, str))
    return ()


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return int(value)
