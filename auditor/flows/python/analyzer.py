"""Calls, modules and functions: where values meet clients, sinks and the project's own code.

A call is, in order: an environment read (``os.getenv``), a sanitizer, a sink (a method of
a client, a function of an SDK), a client constructor, a function or class of the project
(run with the caller's arguments, bounded in depth), or something unknown, whose result
carries the data of its arguments.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from auditor.catalog.destinations import Catalog
from auditor.flows.python.catalog import CodeCatalog, Resolution, SinkSpec
from auditor.flows.python.interpreter import CallSite, Frame, Interpreter
from auditor.flows.python.meaning import listed_fields, model_fields
from auditor.flows.python.project import FunctionInfo, ModuleInfo, Project, dotted_name
from auditor.flows.python.sinks import SinkHits
from auditor.flows.python.values import EMPTY, Client, Trace, Value, data_of, find_arg, merge
from auditor.model import DataSource, Finding, Location, Step

MAX_DEPTH = 4  # calls followed into the project from an entry point
MAX_INLINE_PER_ENTRY = 250
_NO_RESOLUTION = Resolution()
_ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault", "os.environ().get"})


@dataclass(frozen=True)
class Invocation:
    """A function of the project run with these arguments: inside a caller (``caller``, at
    ``node``), or on its own (``standalone``: its parameters are sources by their names)."""

    function: FunctionInfo
    args: tuple[Value, ...] = ()
    kwargs: tuple[tuple[str, Value], ...] = ()
    self_value: Value | None = None
    caller: Frame | None = None
    node: ast.AST | None = None
    standalone: bool = False


class Analyzer(Interpreter):
    """The interpreter over a whole project: it follows calls into the project's functions and
    classes, and records the sinks it meets in ``hits``."""

    def __init__(
        self,
        project: Project,
        catalog: CodeCatalog,
        destinations: Catalog,
        findings: dict[str, dict[int, list[Finding]]],
        relevant: set[str] | None = None,
    ) -> None:
        self.relevant = relevant
        self.project = project
        self.catalog = catalog
        self.findings = findings
        self.hits = SinkHits(destinations)
        self.heap: dict[int, dict[str, Value]] = {}
        self.closures: dict[str, dict[str, Value]] = {}
        self._module_envs: dict[str, dict[str, Value]] = {}
        self._running_modules: set[str] = set()
        self._summary_objs: dict[str, int] = {}
        self._memo: dict[tuple[object, ...], Value] = {}
        self._stack: list[str] = []
        self._inlined = 0
        self.ambient: dict[str, list[Client]] = {}  # package -> clients set as its default
        self.files: dict[str, tuple[Trace, ...]] = {}  # path -> data written to it

    # --- entry points --------------------------------------------------------------------------

    def analyze_module(self, module: ModuleInfo) -> None:
        """The module body, then every function and method on its own."""
        self.module_env(module)
        for info in module.functions.values():
            self.entry(info)
        for cls in module.classes.values():
            init = cls.methods.get("__init__")
            if init is not None:
                self.entry(init)
            for name, info in cls.methods.items():
                if name != "__init__":
                    self.entry(info)

    def entry(self, info: FunctionInfo) -> None:
        """A function or method analysed on its own."""
        self._inlined = 0
        self_value = self.summary_self(info.class_ref) if info.class_ref and not info.is_static else None
        self.run_function(Invocation(info, self_value=self_value, standalone=True))

    def module_env(self, module: ModuleInfo) -> dict[str, Value]:
        env = self._module_envs.get(module.key)
        if env is not None:
            return env
        env = self._module_envs[module.key] = {}
        self._running_modules.add(module.key)
        frame = Frame(module, "<module>", env, is_module=True)
        saved, self._inlined = self._inlined, 0
        try:
            self.run_body(module.tree.body, frame)
        finally:
            self._inlined = saved
            self._running_modules.discard(module.key)
        env.update(frame.env)
        return env

    # --- imports and references ----------------------------------------------------------------

    def import_value(self, dotted: str, importer: ModuleInfo) -> Value:
        module = self.project.module(dotted, importer)
        return Value(ref=module.key if module else dotted)

    def import_from(self, base: str, name: str, importer: ModuleInfo) -> Value:
        module = self.project.module(base, importer) if base else None
        if module is None:
            return Value(ref=f"{base}.{name}" if base else name)
        submodule = self.project.module(f"{module.name}.{name}", importer)
        if submodule is not None and name not in module.functions and name not in module.classes:
            return Value(ref=submodule.key)
        if name in module.functions or name in module.classes:
            return Value(ref=f"{module.key}.{name}")
        return self.module_env(module).get(name, Value(ref=f"{module.key}.{name}"))

    def ref_attribute(self, ref: str, attr: str, frame: Frame) -> Value | None:
        module = self.project.modules.get(ref)
        if module is not None:
            if attr in module.functions or attr in module.classes:
                return Value(ref=f"{ref}.{attr}")
            env = self.module_env(module)
            if attr in env:
                return env[attr]
            sub = self.project.module(f"{module.name}.{attr}", frame.module)
            return Value(ref=sub.key if sub else f"{ref}.{attr}")
        cls = self.project.classes.get(ref)
        if cls is not None:
            method = self.project.method(ref, attr)
            if method is not None:
                return Value(ref=method.ref)
            return self.class_attribute(cls, attr)
        return None

    def instance_attribute(self, base: Value, attr: str, node: ast.AST, frame: Frame) -> Value | None:
        attrs = self.heap.get(base.obj, {}) if base.obj is not None else {}
        if attr in attrs:
            return attrs[attr]
        class_ref = (base.ref or "").removesuffix("()")
        method = self.project.method(class_ref, attr)
        if method is not None:
            if method.is_property:
                return self.run_function(Invocation(method, self_value=base, caller=frame, node=node))
            return Value(ref=method.ref, obj=base.obj)
        cls = self.project.classes.get(class_ref)
        if cls is not None:
            found = self.class_attribute(cls, attr)
            if found is not None:
                return found
        return Value(traces=self.name_source(frame, attr, node, "attribute"))

    def summary_self(self, class_ref: str) -> Value:
        """``self`` for a method analysed on its own: what ``__init__`` leaves on an instance."""
        obj = self._summary_objs.get(class_ref)
        if obj is None:
            obj = self._summary_objs[class_ref] = self.new_obj()
            init = self.project.method(class_ref, "__init__")
            if init is not None:
                self.run_function(Invocation(init, self_value=Value(ref=f"{class_ref}()", obj=obj), standalone=True))
        return Value(ref=f"{class_ref}()", obj=obj)

    def new_obj(self) -> int:
        obj = len(self.heap) + 1
        self.heap[obj] = {}
        return obj

    # --- calls ---------------------------------------------------------------------------------

    def call(self, node: ast.Call, frame: Frame) -> Value:
        callee = self.eval(node.func, frame)
        args = tuple(self.eval(a, frame) for a in node.args)
        kwargs = tuple((kw.arg or "**", self.keyword_value(kw, frame)) for kw in node.keywords)
        site = CallSite(node, frame, args, kwargs)
        ref = callee.ref
        loc = site.location
        everything = site.everything

        if ref in _ENV_GETTERS and args and args[0].text:
            default = args[1] if len(args) > 1 else find_arg(("default",), (), kwargs)
            if isinstance(default, tuple):
                default = default[1]
            return Value(text=default.text if default is not None else None, env=(args[0].text,))

        if callee.clients:
            return self.client_call(callee, site)

        if ref in ("builtins.open", "io.open") and args and args[0].text in self.files:
            path = args[0].text
            return Value(traces=tuple(t.hop(Step(loc, f"read back from {path}")) for t in self.files[path]))

        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, (ast.Name, ast.Constant, ast.Attribute))
            and any(not v.constant for v in everything)
        ):
            template = self.eval(node.func.value, frame)  # a name or a literal: no side effect
            marked = self.marker_traces(frame, node, template.text or "", "the prompt template")
            if marked:
                data = data_of(*everything)
                return data.with_traces(self.combine(data.traces, marked))

        if ref is None:
            return self.unknown_call(callee, None, site)

        sanitizer = self.catalog.sanitizer_for(ref)
        if sanitizer is not None:
            data = data_of(callee, *everything)
            step = Step(loc, f"de-identified by {sanitizer}")
            return data.with_traces(
                tuple(Trace(t.origin, t.steps + (step,), t.sanitizers + (sanitizer,)) for t in data.traces)
            )

        specs = self.catalog.sinks_for_call(ref)
        if specs:
            used = self.call_sink(specs[0], ref, site)
            if used:  # a vector index built with these models answers queries through them
                return Value(clients=used, traces=data_of(*everything).traces)
            if self.catalog.client_for(ref) is None:
                return data_of(*everything)

        spec = self.catalog.client_for(ref)
        if spec is not None:
            key = spec.id
            if spec.qualifier_args:
                qualifier = find_arg(spec.qualifier_args, args, kwargs)
                key = f"{spec.id}:{qualifier[1].text}" if qualifier and qualifier[1].text else spec.id
            ambient = self.ambient.get(ref.split(".")[0]) if spec.ambient else None
            clients = tuple(ambient) if ambient else (Client(spec, key, ref, args, kwargs, loc),)
            data = data_of(*everything)
            return Value(clients=clients, traces=data.traces, prompt_shaped=data.prompt_shaped)

        function = self.project.functions.get(ref)
        if function is not None:
            self_value = None
            if function.class_ref and callee.obj is not None and not function.is_static:
                self_value = Value(ref=f"{function.class_ref}()", obj=callee.obj)
            result = self.run_function(Invocation(function, args, kwargs, self_value, frame, node))
            if not result.traces and not result.clients and result.obj is None:
                traces = self.name_source(frame, function.node.name, node, "result of")
                result = replace(result, traces=_described(traces, f"result of {function.node.name}()"))
            return result

        if ref in self.project.classes:
            return self.construct(ref, site)

        if self.catalog.is_wrapper(ref):
            clients = tuple(c for v in everything for c in v.clients)
            if clients:
                if _on_an_object(node, callee):  # kernel.add_service(chat): the kernel calls it
                    self.mutate(_receiver(node), Value(clients=clients), frame)
                return Value(clients=clients, traces=data_of(*everything).traces)
        return self.unknown_call(callee, ref, site)

    def call_sink(self, spec: SinkSpec, ref: str, site: CallSite) -> tuple[Client, ...]:
        """A sink function; one whose destination is its models' (``client_args``: a vector
        store's embeddings, a LlamaIndex index) goes where the clients among its arguments, else
        the package's default ones, else its own resolution send. Returns the clients used."""
        if not spec.client_args:
            self.hits.record(spec, None, ref, site)
            return ()
        used = tuple(dict.fromkeys(c for v in site.everything for c in v.clients)) or tuple(
            self.ambient.get(ref.split(".")[0], ())
        )
        for client in used:  # each client's own configuration decides, not the sink's default
            bare = replace(spec, resolution=_NO_RESOLUTION)
            self.hits.record(bare, client, ref, site, call_name=ref)
        if not used and spec.resolution != _NO_RESOLUTION:
            self.hits.record(spec, None, ref, site)
            fallback = self.catalog.client_for(ref)
            if fallback is not None:
                return (Client(fallback, fallback.id, ref, site.args, site.kwargs, site.location),)
        return used

    def model_rows(self, class_ref: str, loc: Location) -> tuple[DataSource, ...]:
        """A model class of the project given to a query (``select(Patient)``,
        ``session.query(Patient)``) reads its rows: regulated data when its name, table or
        fields are named for it."""
        cls = self.project.classes[class_ref]
        matched = model_fields(cls.node, self.catalog.vocabulary)
        if not matched:
            return ()
        categories = tuple(dict.fromkeys(c for _, cats in matched for c in cats))
        fields = ", ".join(n for n, _ in matched[:3])
        return (DataSource(f"rows of model {cls.node.name} ({fields})", categories, loc),)

    def keyword_value(self, keyword: ast.keyword, frame: Frame) -> Value:
        """A keyword argument; a list of field names (``text_node_properties=["patient_name",
        ...]``) that names regulated data makes the call read that data."""
        value = self.eval(keyword.value, frame)
        traces = tuple(
            trace
            for element in listed_fields(keyword)
            for trace in self.name_source(frame, str(element.value), element, f"field named in '{keyword.arg}'")
        )
        return value.with_traces(self.combine(value.traces, traces)) if traces else value

    def client_call(self, callee: Value, site: CallSite) -> Value:
        """A method of a model client (or of an object built on one): a sink when the catalog
        lists the method for that client."""
        member = callee.member or "__call__"
        # What an object built on the client holds goes with its calls: the documents of an
        # index reach the model through its query engine, a chain's retriever through the chain.
        holding = replace(site, args=(*site.args, callee))
        for client in callee.clients:
            specs = self.catalog.sinks_for_method(client.key, member)
            if specs:
                self.hits.record(specs[0], client, member, holding)
        data = data_of(callee, *site.everything)
        return Value(traces=data.traces, clients=callee.clients, member=f"{member}()")

    def unknown_call(self, callee: Value, ref: str | None, site: CallSite) -> Value:
        """A call outside the project and the catalog: its result carries its arguments' data,
        and an object it is called on keeps what is added to it."""
        if ref is not None and not self.catalog.propagates(ref):
            return EMPTY
        node, frame, everything = site.node, site.frame, site.everything
        data = data_of(callee, *everything)
        loc = site.location
        queries = tuple(q for v in everything for q in v.queries)
        models = [v.ref for v in everything if v.ref is not None and v.ref in self.project.classes]
        queries += tuple(q for ref_ in models for q in self.model_rows(ref_, loc))
        traces = data.traces
        if queries:
            step = Step(loc, f"query run by {dotted_name(node.func) or 'a call'}()")
            traces = self.combine(traces, tuple(Trace(q, (Step(q.location, q.description), step)) for q in queries))
        name = (ref or dotted_name(node.func) or "").rsplit(".", 1)[-1]
        if not traces and name:
            traces = self.name_source(frame, name, node, "result of")
            traces = _described(traces, f"result of {name}()")
        # The receiver holds what was added to it (messages.append(x), cursor.execute(sql)).
        if isinstance(node.func, ast.Attribute) and (queries or any(v.traces for v in everything)):
            added = Value(traces=self.combine(*(v.traces for v in everything))) if not queries else Value(traces=traces)
            receiver = _receiver(node)
            self.mutate(receiver, added.hop(Step(loc, f"added to '{dotted_name(receiver) or 'object'}'")), frame)
        # A model client handed to an object (kernel.add_service(chat)) is then called through it.
        clients = tuple(dict.fromkeys(c for v in everything for c in v.clients))
        if clients:
            if ref is not None and ref.rsplit(".", 1)[-1] == "configure":  # dspy.configure(lm=...)
                self.set_ambient(ref, clients)
            if _on_an_object(node, callee):
                self.mutate(_receiver(node), Value(clients=clients), frame)
        return Value(traces=traces, ref=f"{ref}()" if ref else None, prompt_shaped=data.prompt_shaped)

    def construct(self, class_ref: str, site: CallSite) -> Value:
        """An instance of a class of the project, its ``__init__`` run with the call's arguments."""
        obj = self.new_obj()
        instance = Value(ref=f"{class_ref}()", obj=obj)
        init = self.project.method(class_ref, "__init__")
        if init is not None:
            self.run_function(Invocation(init, site.args, site.kwargs, instance, site.frame, site.node))
        else:  # dataclasses, pydantic models and settings: keyword arguments become attributes
            for name, value in site.kwargs:
                if name != "**":
                    self.heap[obj][name] = value
        return instance

    # --- running functions ---------------------------------------------------------------------

    def run_function(self, call: Invocation) -> Value:
        """What the function returns; bounded in depth and in inlined calls per entry point, and
        remembered for calls that carry no data."""
        info, args, kwargs, self_value, standalone = (
            call.function,
            call.args,
            call.kwargs,
            call.self_value,
            call.standalone,
        )
        depth = 0 if call.caller is None else call.caller.depth + 1
        if info.ref in self._stack or depth > MAX_DEPTH:
            return EMPTY
        pure = not any(v.traces or v.clients or v.queries for v in (*args, *(v for _, v in kwargs)))
        memo_key = (
            info.ref,
            self_value.obj if self_value else None,
            standalone,
            len(args),
            tuple(k for k, _ in kwargs),
        )
        if pure and not standalone:
            if memo_key in self._memo:
                return self._memo[memo_key]
            if self.relevant is not None and info.module.key not in self.relevant and self_value is None:
                return EMPTY  # cannot reach a sink, and nothing of interest goes in
        if not standalone:
            if self._inlined >= MAX_INLINE_PER_ENTRY:
                return EMPTY
            self._inlined += 1
        frame = Frame(info.module, info.qualname, {}, depth, info, self.closures.get(info.ref))
        self.bind_parameters(call, frame)
        self._stack.append(info.ref)
        try:
            self.run_body(info.node.body, frame)
        finally:
            self._stack.pop()
        result = merge(*frame.returns) if frame.returns else EMPTY
        sink = self.decorator_sink(info, frame)
        if sink is not None:
            self.hits.record_decorator(sink, info, frame, result)
        if pure and not standalone:
            self._memo[memo_key] = result
        return result

    def bind_parameters(self, call: Invocation, frame: Frame) -> None:
        """Parameters from the call's arguments, defaults, annotations (on its own) or, for
        what nothing fills, sources by their names."""
        info, args, kwargs, self_value = call.function, call.args, call.kwargs, call.self_value
        caller, node, standalone = call.caller, call.node, call.standalone
        spec = info.node.args
        positional = [*spec.posonlyargs, *spec.args]
        offered = list(args)
        if self_value is not None and positional:
            frame.env[positional[0].arg] = self_value
            positional = positional[1:]
        elif info.class_ref and positional and (info.is_classmethod or not info.is_static) and standalone:
            frame.env[positional[0].arg] = Value(ref=info.class_ref)
            positional = positional[1:]
        by_name = dict(kwargs)
        defaults = dict(
            zip([a.arg for a in positional][len(positional) - len(spec.defaults) :], spec.defaults, strict=False)
        )
        defaults.update({a.arg: d for a, d in zip(spec.kwonlyargs, spec.kw_defaults, strict=True) if d is not None})
        where = caller.location(node) if caller is not None and node is not None else None
        for index, param in enumerate([*positional, *spec.kwonlyargs]):
            name = param.arg
            if index < len(positional) and index < len(offered):
                value = offered[index]
            elif name in by_name:
                value = by_name[name]
            elif name in defaults:
                value = self.eval(defaults[name], Frame(info.module, "<module>", {}, frame.depth))
                value = (
                    merge(value, self.annotation_client(param.annotation, frame, param) or EMPTY)
                    if standalone
                    else value
                )
            else:
                value = self.annotation_client(param.annotation, frame, param) or EMPTY if standalone else EMPTY
            if where is not None and value.traces:
                value = value.hop(Step(where, f"passed to {info.qualname}() as '{name}'"))
            if not value.traces and not value.constant and value.obj is None and not value.clients:
                traces = self.name_source(frame, name, param, "parameter")
                if not traces and param.annotation is not None:
                    annotation = dotted_name(param.annotation) or ""
                    traces = self.name_source(
                        frame, annotation.rsplit(".", 1)[-1], param, f"parameter '{name}' of type"
                    )
                if traces:
                    value = replace(value, traces=traces)
            frame.env[name] = value
        for extra in (spec.vararg, spec.kwarg):
            if extra is not None:
                rest = (
                    merge(*offered[len(positional) :], *(v for k, v in kwargs if k not in frame.env))
                    if (offered or kwargs)
                    else EMPTY
                )
                frame.env[extra.arg] = (
                    rest
                    if rest.traces
                    else replace(rest, traces=self.name_source(frame, extra.arg, extra, "parameter"))
                )

    def decorator_sink(self, info: FunctionInfo, frame: Frame) -> tuple[SinkSpec, ast.AST, str] | None:
        for decorator in info.node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            value = self.eval(target, Frame(info.module, "<module>", {}, frame.depth))
            if value.ref:
                spec = self.catalog.sink_for_decorator(value.ref)
                if spec is not None:
                    return spec, decorator, value.ref
        return None


def _described(traces: tuple[Trace, ...], description: str) -> tuple[Trace, ...]:
    """Name sources told again as what they are (``result of fetch_notes()``)."""
    return tuple(
        replace(t, origin=replace(t.origin, description=description)) if isinstance(t.origin, DataSource) else t
        for t in traces
    )


def _receiver(node: ast.Call) -> ast.expr:
    """``kernel`` in ``kernel.add_service(chat)``; the callee itself when it is no attribute."""
    return node.func.value if isinstance(node.func, ast.Attribute) else node.func


def _on_an_object(node: ast.Call, callee: Value) -> bool:
    """A method call on an object (``kernel.add_service``), not a module's function
    (``dspy.configure``): only an object keeps what it is given."""
    return isinstance(node.func, ast.Attribute) and (callee.ref is None or "()" in callee.ref)
