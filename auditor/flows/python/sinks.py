"""Sink calls found by the analyser, merged per call site and destination into Flows.

The same call is met several times: when its function is analysed on its own and inside each
caller. Each meeting adds the data it carries; a destination known only from a type
annotation is dropped where a caller shows the real client.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from auditor.catalog.destinations import Catalog
from auditor.flows.python.catalog import SinkSpec
from auditor.flows.python.destination import resolve_destination
from auditor.flows.python.interpreter import CallSite, Frame
from auditor.flows.python.project import FunctionInfo
from auditor.flows.python.values import Client, Trace, Value, find_arg, merge_traces
from auditor.model import (
    DataSource,
    Destination,
    Finding,
    Flow,
    FlowKind,
    Location,
    Sink,
    SkippedSource,
    Step,
    Suppression,
)

MAX_TRACES_PER_FLOW = 24
_IGNORE = re.compile(r"#\s*auditor:\s*ignore(?:\[([^\]]*)\])?(.*)$")


_HitKey = tuple[str, int, int, str, str | None]  # path, line, column, destination id and host


@dataclass
class _Hit:
    location: Location
    call: str
    destination: Destination
    assumed: bool
    line_range: tuple[int, int]
    module_lines: list[str]
    traces: list[Trace] = field(default_factory=list)
    collects: bool = False  # a tracing set-up: gathers the traces of the app's other calls


class SinkHits:
    """Every sink call met, by (path, line, column, call, destination)."""

    def __init__(self, destinations: Catalog) -> None:
        self.destinations = destinations
        self.hits: dict[_HitKey, _Hit] = {}

    def record(
        self, spec: SinkSpec, client: Client | None, name: str, site: CallSite, call_name: str | None = None
    ) -> None:
        """A sink call met at ``site``: its destination (from the client, else the sink's own
        resolution) and the data its arguments carry."""
        args, kwargs = site.args, site.kwargs
        destination = resolve_destination(self.destinations, spec.resolution, client, args, kwargs)
        if destination is None:
            return
        if spec.data_args:
            carried = [v for _, v in filter(None, (find_arg((a,), args, kwargs) for a in spec.data_args))]
        else:
            carried = list(site.everything)
        loc = site.location
        call = call_name or _call_name(client, name)
        traces = merge_traces(*(v.traces for v in carried))
        step = Step(loc, f"sent by {call}")
        end = site.node.end_lineno or loc.line
        met = _Hit(loc, call, destination, bool(client and client.assumed), (loc.line, end), site.frame.module.lines)
        self._add(met, traces, step).collects |= spec.collects

    def record_decorator(
        self, sink: tuple[SinkSpec, ast.AST, str], info: FunctionInfo, frame: Frame, result: Value
    ) -> None:
        """A traced function (``@traceable``, ``@observe``) ships its arguments and its result."""
        spec, decorator, ref = sink
        destination = resolve_destination(self.destinations, spec.resolution, None, (), ())
        if destination is None:
            return
        loc = frame.location(decorator)
        params = [
            frame.env.get(a.arg)
            for a in (*info.node.args.posonlyargs, *info.node.args.args, *info.node.args.kwonlyargs)
        ]
        traces = merge_traces(*(v.traces for v in params if v is not None), result.traces)
        step = Step(loc, f"inputs and output of {info.qualname}() traced by {ref}")
        self._add(_Hit(loc, ref, destination, False, (loc.line, loc.line), frame.module.lines), traces, step)

    def _add(self, met: _Hit, traces: tuple[Trace, ...], step: Step) -> _Hit:
        """The hit of ``met``'s call site and destination, created or met again, with ``traces``
        arriving through ``step``."""
        # One flow per call site and destination: a chain holding a chat model and an embeddings
        # object of the same vendor sends to it once, whichever client is named.
        loc, destination = met.location, met.destination
        key = (loc.path, loc.line, loc.column, destination.id, destination.host)
        hit = self.hits.setdefault(key, met)
        hit.assumed = hit.assumed and met.assumed  # a caller showed this very client
        if len(hit.traces) < MAX_TRACES_PER_FLOW:
            hit.traces.extend(t.hop(step) for t in traces)
        return hit

    def _collect_into_tracing(self) -> None:
        """An instrumented process exports every prompt: a tracing set-up carries what the
        model calls of the application around it (its folder and below) send."""
        for hit in self.hits.values():
            if not hit.collects:
                continue
            folder = hit.location.path.rpartition("/")[0]
            step = Step(hit.location, f"exported by the tracing set up with {hit.call}")
            for other in self.hits.values():
                if other.collects or not _under(other.location.path, folder):
                    continue
                for trace in other.traces:
                    if len(hit.traces) >= MAX_TRACES_PER_FLOW:
                        return
                    hit.traces.append(trace.hop(step))

    def flows(self) -> tuple[list[Flow], list[SkippedSource]]:
        """One flow per call site and destination; suppressions without a reason are reported."""
        real_sites = {
            (h.location.path, h.location.line, h.location.column) for h in self.hits.values() if not h.assumed
        }
        self._collect_into_tracing()
        flows: list[Flow] = []
        problems: list[SkippedSource] = []
        for hit in self.hits.values():
            site = (hit.location.path, hit.location.line, hit.location.column)
            if hit.assumed and site in real_sites:
                continue
            suppressions = _suppressions(hit)
            for suppression in suppressions:
                if not suppression.reason:
                    problems.append(
                        SkippedSource(
                            hit.location.path,
                            "inline suppression without a reason is not honoured: write "
                            "'# auditor: ignore[RULE-ID] why this flow is acceptable'",
                            hit.location.line,
                        )
                    )
            flows.append(_flow(hit, suppressions))
        flows.sort(key=lambda f: (f.sink.location.path, f.sink.location.line, f.sink.location.column, f.destination.id))
        return flows, list(dict.fromkeys(problems))


def _under(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")


def _flow(hit: _Hit, suppressions: tuple[Suppression, ...]) -> Flow:
    traces = merge_traces(tuple(hit.traces))
    findings = tuple(dict.fromkeys(t.origin for t in traces if isinstance(t.origin, Finding)))
    sources = tuple(dict.fromkeys(t.origin for t in traces if isinstance(t.origin, DataSource)))
    steps = tuple(dict.fromkeys(s for t in traces for s in t.steps))
    sanitized = bool(traces) and all(t.sanitizers for t in traces)
    sanitizers = tuple(dict.fromkeys(s for t in traces for s in t.sanitizers)) if sanitized else ()
    return Flow(
        kind=FlowKind.CODE,
        sink=Sink(hit.location, hit.call),
        destination=hit.destination,
        findings=findings,
        sources=sources,
        steps=steps,
        sanitizers=sanitizers,
        suppressions=suppressions,
    )


def _suppressions(hit: _Hit) -> tuple[Suppression, ...]:
    """``# auditor: ignore[RULE-ID,...] reason`` on any line of the sink call."""
    found = []
    first, last = hit.line_range
    for line in range(first, min(last, len(hit.module_lines)) + 1):
        text = hit.module_lines[line - 1]
        if "auditor:" not in text:
            continue
        match = _IGNORE.search(text)
        if match:
            rules = tuple(r.strip() for r in (match.group(1) or "").split(",") if r.strip())
            reason = match.group(2).strip().lstrip("-:—").strip()
            found.append(Suppression(rules, reason, Location(hit.location.path, line, text.index("#") + 1)))
    return tuple(found)


def _call_name(client: Client | None, name: str) -> str:
    """``openai.chat.completions.create``, ``langchain_openai.ChatOpenAI.invoke``, ``litellm.completion``."""
    if client is None:
        return name
    if ":" in client.key:
        return f"{client.spec.display}.{client.key.partition(':')[2]}.{name}"
    name = name.replace("()", "")
    if "." in name:
        return f"{client.spec.display}.{name}"
    return f"{client.ref}.{name}"
