"""What the analyser knows about a Python value: the data it carries and what it refers to.

A value is abstract: the regulated data that reached it (traces, each with its hops), its
text when it is a known constant (a model name, a base URL), the names of the environment
variables that text depends on, the dotted name of what it refers to (a module, a class, an
instance ``Class()``), and the AI clients it may be. Merging two values keeps both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from auditor.model import DataSource, Finding, Location, Step

if TYPE_CHECKING:
    from auditor.flows.python.catalog import ClientSpec

MAX_TRACES = 12  # per value: the first paths found to each origin are kept, the rest dropped
MAX_STEPS = 16  # per trace: the first hops and the last are kept


@dataclass(frozen=True, slots=True)
class Trace:
    """Regulated data from one origin, the hops it took, and the sanitizers it went through."""

    origin: DataSource | Finding
    steps: tuple[Step, ...]
    sanitizers: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[Any, ...]:
        loc = self.origin.location
        what = self.origin.description if isinstance(self.origin, DataSource) else self.origin.fingerprint
        return (loc.path, loc.line, loc.column, what)

    def hop(self, step: Step) -> Trace:
        if self.steps and self.steps[-1] == step:
            return self
        steps = self.steps + (step,)
        if len(steps) > MAX_STEPS:
            steps = steps[: MAX_STEPS // 2] + steps[-(MAX_STEPS // 2) :]
        return Trace(self.origin, steps, self.sanitizers)


@dataclass(frozen=True, slots=True)
class Client:
    """An instance of an SDK client, with the arguments of its constructor."""

    spec: ClientSpec
    key: str  # the spec id, or "boto3:bedrock-runtime" when a qualifier selects the service
    ref: str  # the constructor as the code named it: "openai.OpenAI"
    args: tuple[Value, ...]
    kwargs: tuple[tuple[str, Value], ...]
    location: Location
    assumed: bool = False  # known only from a type annotation: no constructor seen

    def arg(self, names: tuple[str | int, ...]) -> tuple[str, Value] | None:
        """The first constructor argument among ``names`` (keyword or position) that was given."""
        return find_arg(names, self.args, self.kwargs)


@dataclass(frozen=True, slots=True)
class Value:
    traces: tuple[Trace, ...] = ()
    text: str | None = None
    env: tuple[str, ...] = ()  # environment variables the text depends on (their defaults are the text)
    ref: str | None = None
    clients: tuple[Client, ...] = ()
    member: str = ""  # attribute path after a client instance: "chat.completions"
    obj: int | None = None  # heap id of an instance of a class of the project
    queries: tuple[DataSource, ...] = ()  # SQL reading sensitive tables: data once executed
    constant: bool = False  # a literal: names bound to it are not sources
    prompt_shaped: bool = False  # a dict with a model request's keys ("messages", "prompt"...)

    def with_traces(self, traces: tuple[Trace, ...]) -> Value:
        return replace(self, traces=traces)

    def hop(self, step: Step) -> Value:
        if not self.traces:
            return self
        return replace(self, traces=tuple(t.hop(step) for t in self.traces))

    @property
    def is_none(self) -> bool:
        """A literal ``None`` (or empty literal): an argument given as None is not given."""
        return self.constant and self.text is None and not self.traces and not self.clients

    @property
    def interesting(self) -> bool:
        """Worth following into a function: it carries data, a client or a project object."""
        return bool(self.traces or self.clients or self.obj is not None or self.queries)


EMPTY = Value()


def merge_traces(*groups: tuple[Trace, ...]) -> tuple[Trace, ...]:
    seen: dict[tuple[Any, ...], Trace] = {}
    for group in groups:
        for trace in group:
            key = trace.key
            if key not in seen and len(seen) < MAX_TRACES:
                seen[key] = trace
    return tuple(seen.values())


def merge(*values: Value) -> Value:
    """A value that may be any of ``values``: data and clients of all, text only if all agree."""
    values = tuple(v for v in values if v is not None)
    if not values:
        return EMPTY
    if len(values) == 1:
        return values[0]
    texts = {v.text for v in values}
    clients: dict[int, Client] = {}
    for v in values:
        for c in v.clients:
            clients.setdefault(id(c), c)
    refs = {v.ref for v in values if v.ref}
    objs = {v.obj for v in values if v.obj is not None}
    members = {v.member for v in values if v.clients}
    return Value(
        traces=merge_traces(*(v.traces for v in values)),
        text=texts.pop() if len(texts) == 1 else None,
        env=tuple(dict.fromkeys(e for v in values for e in v.env)),
        ref=refs.pop() if len(refs) == 1 else None,
        clients=tuple(clients.values())[:6],
        member=members.pop() if len(members) == 1 else "",
        obj=objs.pop() if len(objs) == 1 else None,
        queries=tuple(dict.fromkeys(q for v in values for q in v.queries)),
        constant=all(v.constant for v in values),
        prompt_shaped=any(v.prompt_shaped for v in values),
    )


def data_of(*values: Value) -> Value:
    """Only the data of ``values`` (what a call on them returns when nothing more is known)."""
    traces = merge_traces(*(v.traces for v in values))
    shaped = any(v.prompt_shaped for v in values)  # json.dumps(request).encode() is still a model request
    return Value(traces=traces, prompt_shaped=shaped) if traces or shaped else EMPTY


def find_arg(
    names: tuple[str | int, ...], args: tuple[Value, ...], kwargs: tuple[tuple[str, Value], ...]
) -> tuple[str, Value] | None:
    """The first argument among ``names`` (a keyword or a 0-based position) that the call gives."""
    by_name = dict(kwargs)
    for name in names:
        if isinstance(name, int):
            if name < len(args) and not args[name].is_none:
                return (f"argument {name + 1}", args[name])
        elif name in by_name and not by_name[name].is_none:
            return (name, by_name[name])
    return None
