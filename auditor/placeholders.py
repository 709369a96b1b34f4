"""Reversible redaction: each regulated value of a request becomes a placeholder, restored in the answer.

With ``[routing] redaction = "reversible"``, a request the guard (or the LiteLLM guardrail)
redacts has each detected value replaced by a placeholder such as ``<PERSON_1>``: the same
value gets the same placeholder in every message of the request, two values never share
one, and a placeholder the request already held as text is never reused. The model answers
in placeholders; the caller gets the answer with the values put back (``restore``, and
``StreamRestorer`` for a streamed answer, where a placeholder may arrive in pieces).

The mapping lives in this process's memory, in one ``Placeholders`` object per request, for
the life of that request and its answer: it is never stored (the findings database keeps
masked excerpts and fingerprints), never logged (its ``repr`` is a count), never pickled and
never sent. The replacement itself is presidio-anonymizer's: an operator (``placeholder``)
registered with its ``AnonymizerEngine``, which resolves overlapping spans as its
``replace`` operator does. Restoring is a search for the placeholders in the answer, not
presidio's deanonymizer: that one undoes spans at the positions it produced, and a model's
answer puts the placeholders where it likes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

__all__ = ["OPERATOR", "Placeholders", "StreamRestorer", "restore_in"]

OPERATOR = "placeholder"  # the operator's name in presidio-anonymizer's engine
_PLACEHOLDER = re.compile(r"<([A-Z][A-Z0-9_]*)_(\d+)>")
_PARTIAL = re.compile(r"<[A-Z0-9_]*")  # what the start of a placeholder cut by a chunk looks like


class Placeholders:
    """One request's placeholders and the values they stand for, in memory only.

    ``texts`` are the request's texts: a placeholder they already hold is never handed out.
    """

    __slots__ = ("_by_value", "_counts", "_longest", "_taken", "_values")

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._taken = frozenset(m.group(0) for text in texts for m in _PLACEHOLDER.finditer(text))
        self._by_value: dict[str, str] = {}
        self._values: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._longest = 0

    def placeholder(self, entity: str, value: str) -> str:
        """The placeholder of ``value`` (a new one the first time it is seen)."""
        found = self._by_value.get(value)
        if found is not None:
            return found
        name = re.sub(r"[^A-Z0-9_]", "_", entity.upper()) or "VALUE"
        if not name[0].isalpha():
            name = "V" + name
        while True:
            self._counts[name] = self._counts.get(name, 0) + 1
            candidate = f"<{name}_{self._counts[name]}>"
            if candidate not in self._taken:
                break
        self._by_value[value] = candidate
        self._values[candidate] = value
        self._longest = max(self._longest, len(candidate))
        return candidate

    def restore(self, text: str) -> str:
        """``text`` with every placeholder of this request replaced by its value."""
        if "<" not in text or not self._values:
            return text
        return _PLACEHOLDER.sub(lambda m: self._values.get(m.group(0), m.group(0)), text)

    def stream(self) -> StreamRestorer:
        """A restorer for one stream of text pieces (one choice or content block)."""
        return StreamRestorer(self)

    def forget(self) -> None:
        """Drop the values (the answer is restored; nothing needs them any more)."""
        self._by_value.clear()
        self._values.clear()

    @property
    def longest(self) -> int:
        return self._longest

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:  # never the values: a repr ends up in logs and tracebacks
        return f"<Placeholders: {len(self._values)} value(s)>"

    def __reduce__(self) -> Any:
        raise TypeError("Placeholders are not pickled: the mapping stays in this process's memory")


class StreamRestorer:
    """Restores placeholders in text that arrives in pieces; a piece may end inside a placeholder.

    ``feed`` returns what can be shown now; the tail that may be the start of a placeholder
    (``<PERS``) is held until the next piece says what it is, or ``flush`` at the end.
    """

    __slots__ = ("_pending", "_placeholders")

    def __init__(self, placeholders: Placeholders) -> None:
        self._placeholders = placeholders
        self._pending = ""

    def feed(self, piece: str) -> str:
        text = self._pending + piece
        self._pending = ""
        cut = text.rfind("<")
        if cut != -1 and len(text) - cut < self._placeholders.longest and _PARTIAL.fullmatch(text, cut):
            text, self._pending = text[:cut], text[cut:]
        return self._placeholders.restore(text)

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return self._placeholders.restore(text)

    @property
    def holding(self) -> bool:
        return bool(self._pending)


def restore_in(obj: Any, placeholders: Placeholders) -> Any:
    """Every string in a response object (pydantic models, dicts, lists) restored, in place.

    Returns ``obj`` (a string is returned restored; strings cannot change in place).
    """
    if isinstance(obj, str):
        return placeholders.restore(obj)
    if isinstance(obj, dict):
        for key, value in obj.items():
            obj[key] = restore_in(value, placeholders)
        return obj
    if isinstance(obj, list):
        for i, value in enumerate(obj):
            obj[i] = restore_in(value, placeholders)
        return obj
    fields = getattr(type(obj), "model_fields", None)
    if isinstance(fields, dict):  # a pydantic model (the SDKs' and LiteLLM's response types)
        names = list(fields) + list(getattr(obj, "model_extra", None) or {})
        for name in names:
            value = getattr(obj, name, None)
            if value is None or isinstance(value, (int, float, bool)):
                continue
            restored = restore_in(value, placeholders)
            if restored is not value:
                object.__setattr__(obj, name, restored)
        return obj
    return obj


def anonymize_with_placeholders(text: str, results: list[Any], placeholders: Placeholders) -> str:
    """``text`` with each of presidio's ``RecognizerResult``s replaced by its placeholder."""
    from presidio_anonymizer.entities import OperatorConfig

    engine = _engine()
    operators = {"DEFAULT": OperatorConfig(OPERATOR, {"placeholders": placeholders})}
    return str(engine.anonymize(text=text, analyzer_results=results, operators=operators).text)


@lru_cache(maxsize=1)
def _engine() -> Any:
    from presidio_anonymizer import AnonymizerEngine

    engine = AnonymizerEngine()  # type: ignore[no-untyped-call]
    engine.add_anonymizer(_operator_class())
    return engine


@lru_cache(maxsize=1)
def _operator_class() -> type:
    from presidio_anonymizer.operators import Operator, OperatorType

    class PlaceholderOperator(Operator):
        """presidio-anonymizer operator: the request's placeholder for the value (its entity and number)."""

        def operate(self, text: str | None = None, params: dict[str, Any] | None = None) -> str:
            assert params is not None and text is not None
            placeholders: Placeholders = params["placeholders"]
            return placeholders.placeholder(str(params["entity_type"]), text)

        def validate(self, params: dict[str, Any] | None = None) -> None:
            if not params or not isinstance(params.get("placeholders"), Placeholders) or "entity_type" not in params:
                raise ValueError("the placeholder operator needs the request's Placeholders and the entity type")

        def operator_name(self) -> str:
            return OPERATOR

        def operator_type(self) -> Any:
            return OperatorType.Anonymize

    return PlaceholderOperator
