"""An abstract interpreter over Python's ``ast``: statements and expressions to Values.

It runs each function once on its own (parameters named like regulated data are sources) and
again, bounded in depth, inside its callers with their arguments, so data and clients cross
function and module boundaries. Branches merge; loops run once; what it does not model
yields an empty value, never an error.
"""

from __future__ import annotations

import ast
import builtins
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from auditor.flows.python.catalog import CodeCatalog
from auditor.flows.python.meaning import PROMPT_KEYS, comment_text, sql_tables
from auditor.flows.python.project import ClassInfo, FunctionInfo, ModuleInfo, Project, dotted_name
from auditor.flows.python.values import EMPTY, Client, Trace, Value, data_of, merge, merge_traces
from auditor.model import DataSource, Finding, Location, Step

_BUILTINS = frozenset(dir(builtins))


@dataclass
class Frame:
    """One run of a function (or of a module's body) with its local names."""

    module: ModuleInfo
    symbol: str  # qualname for Location.symbol: "Summarizer.run", "<module>"
    env: dict[str, Value]
    depth: int = 0
    function: FunctionInfo | None = None
    closure: dict[str, Value] | None = None
    returns: list[Value] = field(default_factory=list)
    is_module: bool = False
    local_imports: dict[str, Value] = field(default_factory=dict)

    def location(self, node: ast.AST) -> Location:
        """Where ``node`` is, in this frame's file and symbol (columns from 1)."""
        return Location(
            self.module.display, getattr(node, "lineno", 0), getattr(node, "col_offset", 0) + 1, symbol=self.symbol
        )


@dataclass(frozen=True)
class CallSite:
    """A call met in a frame, with its evaluated arguments."""

    node: ast.Call
    frame: Frame
    args: tuple[Value, ...] = ()
    kwargs: tuple[tuple[str, Value], ...] = ()

    @property
    def everything(self) -> tuple[Value, ...]:
        """Positional and keyword arguments alike."""
        return (*self.args, *(v for _, v in self.kwargs))

    @property
    def location(self) -> Location:
        return self.frame.location(self.node)


class Interpreter(ABC):
    """Statements and expressions to Values.

    What a subclass provides (``Analyzer``) is the state below, set in its ``__init__``, and
    the abstract hooks: calls, imports, module globals and attributes of references and
    instances, which need the whole project.
    """

    project: Project
    catalog: CodeCatalog
    findings: dict[str, dict[int, list[Finding]]]  # path -> line -> findings in string literals
    heap: dict[int, dict[str, Value]]  # object id -> its attributes
    closures: dict[str, dict[str, Value]]  # nested function ref -> the enclosing frame's names
    files: dict[str, tuple[Trace, ...]]  # path -> data written to it
    ambient: dict[str, list[Client]]  # package -> clients set as its default

    # --- hooks ---------------------------------------------------------------------------------

    @abstractmethod
    def call(self, node: ast.Call, frame: Frame) -> Value:
        """What a call returns, after recording any sink it reaches."""

    @abstractmethod
    def module_env(self, module: ModuleInfo) -> dict[str, Value]:
        """A module's global names, after running its body once."""

    @abstractmethod
    def import_value(self, dotted: str, importer: ModuleInfo) -> Value:
        """``import a.b``: the module of the project, or a reference to an outside one."""

    @abstractmethod
    def import_from(self, base: str, name: str, importer: ModuleInfo) -> Value:
        """``from base import name``."""

    @abstractmethod
    def ref_attribute(self, ref: str, attr: str, frame: Frame) -> Value | None:
        """An attribute of a module or class of the project; None when ``ref`` is neither."""

    @abstractmethod
    def instance_attribute(self, base: Value, attr: str, node: ast.AST, frame: Frame) -> Value | None:
        """An attribute of an object on the heap (or a method or property of its class)."""

    # --- locations and literal findings ------------------------------------------------------

    def literal_traces(self, frame: Frame, node: ast.expr) -> tuple[Trace, ...]:
        """Traces for the detectors' findings inside a string literal or f-string."""
        by_line = self.findings.get(frame.module.display)
        if not by_line:
            return ()
        first, last = node.lineno, node.end_lineno or node.lineno
        traces = []
        for line in range(first, last + 1):
            for finding in by_line.get(line, ()):
                column = finding.location.column
                if line == first and column < self._char_col(frame, line, node.col_offset) + 1:
                    continue
                if line == last and column > self._char_col(frame, line, node.end_col_offset or 0) + 1:
                    continue
                traces.append(self.finding_trace(frame, finding))
        return tuple(traces)

    def _char_col(self, frame: Frame, line: int, byte_col: int) -> int:
        text = frame.module.lines[line - 1] if 0 < line <= len(frame.module.lines) else ""
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    def finding_trace(self, frame: Frame, finding: Finding) -> Trace:
        where = replace(finding.location, symbol=frame.symbol)
        return Trace(finding, (Step(where, f"string literal with {finding.category.value} ({finding.entity})"),))

    def marker_traces(self, frame: Frame, node: ast.AST, text: str, kind: str) -> tuple[Trace, ...]:
        """Traces for the classes of data ``text`` states (see ``markers`` in rules/code.yaml)."""
        if not text or not self.catalog.markers:
            return ()
        where = frame.location(node)
        traces = []
        for category, words in self.catalog.marked_categories(text):
            description = f"{kind} says '{words}'"
            traces.append(Trace(DataSource(description, (category,), where), (Step(where, description),)))
        return tuple(traces)

    def comment_traces(self, frame: Frame, node: ast.AST) -> tuple[Trace, ...]:
        """What a comment on an assignment's line, or just above it, states of the value's class."""
        text = comment_text(frame.module.lines, getattr(node, "lineno", 0))
        return self.marker_traces(frame, node, text, "the comment") if text else ()

    def name_source(self, frame: Frame, name: str, node: ast.AST, kind: str) -> tuple[Trace, ...]:
        """A trace when ``name`` (a variable, attribute, key...) is named like regulated data."""
        categories = self.catalog.vocabulary.categories(name)
        if not categories:
            return ()
        where = frame.location(node)
        description = f"{kind} '{name}'"
        return (Trace(DataSource(description, categories, where), (Step(where, description),)),)

    # --- statements --------------------------------------------------------------------------

    def run_body(self, body: list[ast.stmt], frame: Frame) -> None:
        for statement in body:
            self.statement(statement, frame)

    def statement(self, node: ast.stmt, frame: Frame) -> None:
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is not None:
            method(node, frame)

    def stmt_Expr(self, node: ast.Expr, frame: Frame) -> None:
        self.eval(node.value, frame)

    def stmt_Assign(self, node: ast.Assign, frame: Frame) -> None:
        value = self.eval(node.value, frame)
        for target in node.targets:
            self.bind(target, value, frame, node.value)

    def stmt_AnnAssign(self, node: ast.AnnAssign, frame: Frame) -> None:
        if node.value is not None:
            value = self.eval(node.value, frame)
            if not value.clients:  # service: AzureChatCompletion = kernel.get_service(...)
                value = merge(value, self.annotation_client(node.annotation, frame, node) or EMPTY)
            self.bind(node.target, value, frame, node.value)

    def stmt_AugAssign(self, node: ast.AugAssign, frame: Frame) -> None:
        value = self.eval(node.value, frame)
        current = self.eval(node.target, frame)
        combined = merge(current, value)
        if isinstance(node.op, ast.Add) and current.text is not None and value.text is not None:
            combined = replace(combined, text=current.text + value.text)
        self.bind(node.target, combined, frame, node.value)

    def stmt_Return(self, node: ast.Return, frame: Frame) -> None:
        if node.value is not None:
            value = self.eval(node.value, frame)
            if frame.function is not None:
                value = value.hop(Step(frame.location(node), f"returned by {frame.function.qualname}()"))
            frame.returns.append(value)

    def stmt_If(self, node: ast.If, frame: Frame) -> None:
        self.eval(node.test, frame)
        self.branches(frame, node.body, node.orelse)

    def stmt_For(self, node: ast.For | ast.AsyncFor, frame: Frame) -> None:
        items = self.eval(node.iter, frame)
        self.bind(node.target, data_of(items) if not items.clients else items, frame, node.iter)
        self.branches(frame, node.body, [])
        self.run_body(node.orelse, frame)

    stmt_AsyncFor = stmt_For

    def stmt_While(self, node: ast.While, frame: Frame) -> None:
        self.eval(node.test, frame)
        self.branches(frame, node.body, [])
        self.run_body(node.orelse, frame)

    def stmt_With(self, node: ast.With | ast.AsyncWith, frame: Frame) -> None:
        for item in node.items:
            value = self.eval(item.context_expr, frame)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, value, frame, item.context_expr)
        self.run_body(node.body, frame)
        for item in node.items:
            self.remember_written_file(item, frame)

    def remember_written_file(self, item: ast.withitem, frame: Frame) -> None:
        """``with open(path, "w") as out: out.write(row)``: the file at ``path`` holds the rows,
        for whoever opens it again (a JSONL file uploaded for fine-tuning or a batch)."""
        call, target = item.context_expr, item.optional_vars
        if not (isinstance(call, ast.Call) and call.args and isinstance(target, ast.Name)):
            return
        if self.eval(call.func, frame).ref not in ("builtins.open", "io.open"):
            return
        mode_node = (
            call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
        )
        mode = self.eval(mode_node, frame).text if mode_node is not None else "r"
        path = self.eval(call.args[0], frame).text
        written = frame.env.get(target.id, EMPTY).traces
        if path and mode and set(mode) & set("wax") and written:
            self.files[path] = self.combine(self.files.get(path, ()), written)

    stmt_AsyncWith = stmt_With

    def stmt_Try(self, node: ast.Try | ast.TryStar, frame: Frame) -> None:
        self.run_body(node.body, frame)
        self.branches(frame, *[h.body for h in node.handlers], node.orelse)
        self.run_body(node.finalbody, frame)

    stmt_TryStar = stmt_Try

    def stmt_Match(self, node: ast.Match, frame: Frame) -> None:
        self.eval(node.subject, frame)
        self.branches(frame, *[case.body for case in node.cases])

    def stmt_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, frame: Frame) -> None:
        if frame.is_module:
            frame.env[node.name] = Value(ref=f"{frame.module.key}.{node.name}")
            return
        ref = f"{frame.module.key}.{frame.symbol}.<locals>.{node.name}"
        info = FunctionInfo(ref, f"{frame.symbol}.<locals>.{node.name}", node, frame.module)
        self.project.functions[ref] = info
        self.closures[ref] = frame.env
        frame.env[node.name] = Value(ref=ref)

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, node: ast.ClassDef, frame: Frame) -> None:
        if frame.is_module:
            frame.env[node.name] = Value(ref=f"{frame.module.key}.{node.name}")

    def stmt_Import(self, node: ast.Import, frame: Frame) -> None:
        for alias in node.names:
            if alias.asname:
                frame.env[alias.asname] = self.import_value(alias.name, frame.module)
            else:
                head = alias.name.split(".")[0]
                frame.env[head] = self.import_value(head, frame.module)

    def stmt_ImportFrom(self, node: ast.ImportFrom, frame: Frame) -> None:
        base = node.module or ""
        if node.level:
            rel = frame.module.relative_base(node.level)
            base = f"{rel}.{base}" if rel and base else (rel or base)
        for alias in node.names:
            if alias.name == "*":
                target = self.project.module(base, frame.module)
                if target is not None:
                    frame.env.update({k: v for k, v in self.module_env(target).items() if not k.startswith("_")})
                continue
            frame.env[alias.asname or alias.name] = self.import_from(base, alias.name, frame.module)

    def branches(self, frame: Frame, *bodies: list[ast.stmt]) -> None:
        """Run each body from the same state; afterwards a name may hold what any of them left."""
        start = dict(frame.env)
        ends = []
        for body in bodies:
            frame.env = dict(start)
            self.run_body(body, frame)
            ends.append(frame.env)
        if len(bodies) < 2 or not all(bodies):
            ends.append(start)  # a branch may not run
        merged: dict[str, Value] = {}
        for env in ends:
            for name, value in env.items():
                merged[name] = merge(merged[name], value) if name in merged and merged[name] is not value else value
        frame.env = merged

    # --- binding -------------------------------------------------------------------------------

    def bind(self, target: ast.AST, value: Value, frame: Frame, source: ast.AST) -> None:
        if isinstance(target, ast.Name):
            plain = not (value.traces or value.constant or value.clients or value.env or value.text is not None)
            if plain and value.ref is None and value.obj is None:
                value = replace(value, traces=self.name_source(frame, target.id, target, "variable"))
            else:
                value = value.hop(Step(frame.location(target), f"assigned to '{target.id}'"))
            marked = self.comment_traces(frame, target)
            if marked:
                value = value.with_traces(self.combine(value.traces, marked))
            frame.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                inner = element.value if isinstance(element, ast.Starred) else element
                self.bind(inner, data_of(value) if not value.clients else value, frame, source)
        elif isinstance(target, ast.Attribute):
            base = self.eval(target.value, frame)
            value = value.hop(Step(frame.location(target), f"assigned to '{dotted_name(target) or target.attr}'"))
            if base.obj is not None:
                attrs = self.heap.setdefault(base.obj, {})
                attrs[target.attr] = merge(attrs[target.attr], value) if target.attr in attrs else value
            else:
                if base.ref and value.clients:  # Settings.llm = OpenAI(...): the library's default model
                    self.set_ambient(base.ref, value.clients)
                self.mutate(target.value, value, frame)
        elif isinstance(target, ast.Subscript):
            self.eval(target.slice, frame)
            name = dotted_name(target.value) or "container"
            self.mutate(target.value, value.hop(Step(frame.location(target), f"stored in '{name}'")), frame)

    def mutate(self, node: ast.AST, added: Value, frame: Frame) -> None:
        """``messages.append(x)``, ``d[k] = x``, ``self.history += x``: the container holds x."""
        if not (added.traces or added.clients):
            return
        if isinstance(node, ast.Name):
            current = self.lookup(node.id, frame)
            frame.env[node.id] = merge(current, data_of(added) if not added.clients else added)
        elif isinstance(node, ast.Attribute):
            base = self.eval(node.value, frame)
            if base.obj is not None:
                attrs = self.heap.setdefault(base.obj, {})
                attrs[node.attr] = merge(attrs.get(node.attr, EMPTY), added)
            else:
                self.mutate(node.value, added, frame)
        elif isinstance(node, ast.Subscript):
            self.mutate(node.value, added, frame)

    # --- expressions ---------------------------------------------------------------------------

    def eval(self, node: ast.AST, frame: Frame) -> Value:
        """The Value of an expression: its ``expr_<Type>`` handler, else the data-free EMPTY
        after evaluating its sub-expressions for their effects."""
        method: Callable[[ast.AST, Frame], Value] | None = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.eval(child, frame)
            return EMPTY
        return method(node, frame)

    def expr_Constant(self, node: ast.Constant, frame: Frame) -> Value:
        if isinstance(node.value, str):
            return Value(
                traces=self.literal_traces(frame, node),
                text=node.value,
                constant=True,
                queries=self.sql_sources(node.value, frame, node),
            )
        if isinstance(node.value, (bool, int, float)):
            return Value(text=str(node.value), constant=True)
        return Value(constant=True)

    def expr_JoinedStr(self, node: ast.JoinedStr, frame: Frame) -> Value:
        parts: list[str | None] = []
        values: list[Value] = []
        for piece in node.values:
            if isinstance(piece, ast.Constant):
                parts.append(str(piece.value))
            elif isinstance(piece, ast.FormattedValue):
                value = self.eval(piece.value, frame)
                values.append(value)
                parts.append(value.text if value.text is not None else None)
        text = "".join(p for p in parts if p is not None) if all(p is not None for p in parts) else None
        merged = merge(*values) if values else EMPTY
        sql_text = "".join(p if p is not None else "x" for p in parts)
        marked: tuple[Trace, ...] = ()
        if any(not v.constant for v in values):  # a template whose words state what goes into it
            template = " ".join(str(p.value) for p in node.values if isinstance(p, ast.Constant))
            marked = self.marker_traces(frame, node, template, "the prompt template")
        return Value(
            traces=self.combine(self.literal_traces(frame, node), merged.traces, marked),
            text=text,
            env=merged.env,
            constant=all(v.constant for v in values),
            queries=self.sql_sources(sql_text, frame, node),
        )

    def expr_BinOp(self, node: ast.BinOp, frame: Frame) -> Value:
        left, right = self.eval(node.left, frame), self.eval(node.right, frame)
        if isinstance(node.op, ast.BitOr) and (left.clients or right.clients):
            # A LangChain pipe: prompt | model | parser runs the model.
            return merge(data_of(left, right), Value(clients=left.clients + right.clients))
        value = data_of(left, right)
        if isinstance(node.op, ast.Mod) and left.text and not right.constant:
            value = value.with_traces(
                self.combine(value.traces, self.marker_traces(frame, node, left.text, "the prompt template"))
            )
        text = None
        if isinstance(node.op, ast.Add) and left.text is not None and right.text is not None:
            text = left.text + right.text
        queries = left.queries + right.queries
        return replace(
            value, text=text, env=left.env + right.env, queries=queries, constant=left.constant and right.constant
        )

    def expr_BoolOp(self, node: ast.BoolOp, frame: Frame) -> Value:
        values = [self.eval(v, frame) for v in node.values]
        merged = merge(*values)
        if isinstance(node.op, ast.Or):
            # os.environ.get("X") or "default": the first value with a text, env noted
            text = next((v.text for v in values if v.text is not None), None)
            merged = replace(merged, text=text)
        return merged

    def expr_IfExp(self, node: ast.IfExp, frame: Frame) -> Value:
        self.eval(node.test, frame)
        return merge(self.eval(node.body, frame), self.eval(node.orelse, frame))

    def expr_NamedExpr(self, node: ast.NamedExpr, frame: Frame) -> Value:
        value = self.eval(node.value, frame)
        self.bind(node.target, value, frame, node.value)
        return value

    def expr_Yield(self, node: ast.Yield | ast.YieldFrom, frame: Frame) -> Value:
        """A generator's items are what its callers iterate over: a yield is a return."""
        if node.value is not None:
            value = self.eval(node.value, frame)
            if frame.function is not None:
                value = value.hop(Step(frame.location(node), f"yielded by {frame.function.qualname}()"))
            frame.returns.append(value)
        return EMPTY

    expr_YieldFrom = expr_Yield

    def expr_Await(self, node: ast.Await | ast.Starred, frame: Frame) -> Value:
        return self.eval(node.value, frame)

    expr_Starred = expr_Await

    def expr_UnaryOp(self, node: ast.UnaryOp, frame: Frame) -> Value:
        self.eval(node.operand, frame)
        return EMPTY

    def expr_Compare(self, node: ast.Compare, frame: Frame) -> Value:
        self.eval(node.left, frame)
        for comparator in node.comparators:
            self.eval(comparator, frame)
        return EMPTY

    def expr_Lambda(self, node: ast.Lambda, frame: Frame) -> Value:
        return EMPTY

    def expr_List(self, node: ast.List | ast.Tuple | ast.Set, frame: Frame) -> Value:
        return merge(*[self.eval(e, frame) for e in node.elts]) if node.elts else Value(constant=True)

    expr_Tuple = expr_List
    expr_Set = expr_List

    def expr_Dict(self, node: ast.Dict, frame: Frame) -> Value:
        values = []
        for key, item in zip(node.keys, node.values, strict=True):
            value = self.eval(item, frame)
            if key is not None:
                key_value = self.eval(key, frame)
                if key_value.text and not value.traces and not value.constant:
                    value = replace(value, traces=self.name_source(frame, key_value.text, key, "key"))
                values.append(key_value)
            values.append(value)
        if not values:
            return Value(constant=True)
        merged = merge(*values)
        shaped = any(isinstance(k, ast.Constant) and k.value in PROMPT_KEYS for k in node.keys)
        return replace(merged, text=None, ref=None, prompt_shaped=merged.prompt_shaped or shaped)

    def comprehension(
        self,
        node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
        frame: Frame,
        elements: list[ast.expr],
    ) -> Value:
        """The elements of a comprehension, its targets bound to the items of its iterables."""
        inner = Frame(frame.module, frame.symbol, dict(frame.env), frame.depth, frame.function, frame.closure)
        for generator in node.generators:
            items = self.eval(generator.iter, inner)
            self.bind(generator.target, data_of(items) if not items.clients else items, inner, generator.iter)
            for test in generator.ifs:
                self.eval(test, inner)
        return merge(*[self.eval(e, inner) for e in elements])

    def expr_ListComp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp, frame: Frame) -> Value:
        return self.comprehension(node, frame, [node.elt])

    expr_SetComp = expr_ListComp
    expr_GeneratorExp = expr_ListComp

    def expr_DictComp(self, node: ast.DictComp, frame: Frame) -> Value:
        return self.comprehension(node, frame, [node.key, node.value])

    def expr_Name(self, node: ast.Name, frame: Frame) -> Value:
        return self.lookup(node.id, frame)

    def lookup(self, name: str, frame: Frame) -> Value:
        if name in frame.env:
            return frame.env[name]
        if frame.closure is not None and name in frame.closure:
            return frame.closure[name]
        if not frame.is_module:
            globals_ = self.module_env(frame.module)
            if name in globals_:
                return globals_[name]
        if name in _BUILTINS:
            return Value(ref=f"builtins.{name}")
        return EMPTY

    def expr_Attribute(self, node: ast.Attribute, frame: Frame) -> Value:
        base = self.eval(node.value, frame)
        return self.attribute(base, node.attr, node, frame)

    def attribute(self, base: Value, attr: str, node: ast.AST, frame: Frame) -> Value:
        if base.clients:
            member = f"{base.member}.{attr}" if base.member else attr
            return Value(traces=base.traces, clients=base.clients, member=member)
        if base.obj is not None:
            found = self.instance_attribute(base, attr, node, frame)
            if found is not None:
                return found
        if base.ref is not None:
            found = self.ref_attribute(base.ref, attr, frame)
            if found is not None:
                return found
            return Value(ref=f"{base.ref}.{attr}", traces=base.traces, prompt_shaped=base.prompt_shaped)
        value = Value(traces=base.traces, prompt_shaped=base.prompt_shaped)
        if not base.traces:
            value = Value(traces=self.name_source(frame, attr, node, "attribute"))
        return value

    def expr_Subscript(self, node: ast.Subscript, frame: Frame) -> Value:
        base = self.eval(node.value, frame)
        index = self.eval(node.slice, frame)
        if base.ref in ("os.environ", "os.environ()") and index.text:
            return Value(env=(index.text,))
        if base.clients:
            return base
        value = data_of(base, index) if not index.constant else data_of(base)
        if not value.traces:
            keys = [e for e in (node.slice.elts if isinstance(node.slice, (ast.List, ast.Tuple)) else [node.slice])]
            traces: tuple[Trace, ...] = ()
            for key in keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    traces += self.name_source(frame, key.value, key, "key")
            value = Value(traces=traces)
        return value

    def expr_Slice(self, node: ast.Slice, frame: Frame) -> Value:
        for part in (node.lower, node.upper, node.step):
            if part is not None:
                self.eval(part, frame)
        return Value(constant=True)

    def expr_Call(self, node: ast.Call, frame: Frame) -> Value:
        return self.call(node, frame)

    # --- helpers -------------------------------------------------------------------------------

    def combine(self, *groups: tuple[Trace, ...]) -> tuple[Trace, ...]:
        return merge_traces(*groups)

    def sql_sources(self, text: str, frame: Frame, node: ast.AST) -> tuple[DataSource, ...]:
        found = []
        for table in sql_tables(text):
            categories = self.catalog.vocabulary.categories(table)
            if categories:
                found.append(DataSource(f"SQL reading table '{table}'", categories, frame.location(node)))
        return tuple(found)

    def class_attribute(self, cls: ClassInfo, attr: str) -> Value | None:
        """A class-level attribute (settings classes), with its environment variable when it is
        a pydantic ``BaseSettings`` field."""
        if attr not in cls.attributes:
            cls.attributes[attr] = None  # a class that names itself in its body stops here
            cls.attributes[attr] = self._class_attribute(cls, attr)
        found = cls.attributes[attr]
        return found if isinstance(found, Value) else None

    def _class_attribute(self, cls: ClassInfo, attr: str) -> Value | None:
        for item in cls.node.body:
            target: ast.expr | None = None
            value_node: ast.expr | None = None
            if isinstance(item, ast.Assign) and len(item.targets) == 1:
                target, value_node = item.targets[0], item.value
            elif isinstance(item, ast.AnnAssign) and item.value is not None:
                target, value_node = item.target, item.value
            if isinstance(target, ast.Name) and target.id == attr and value_node is not None:
                frame = Frame(cls.module, cls.qualname, {}, is_module=False)
                value = self.eval(value_node, frame)
                if value.text is not None and any(
                    (dotted_name(b) or "").endswith("BaseSettings") for b in cls.node.bases
                ):
                    value = replace(value, env=(attr.upper(),))
                return value
        for base in self.project.base_refs(cls):
            found = self.class_attribute(self.project.classes[base], attr)
            if found is not None:
                return found
        return None

    def annotation_client(self, annotation: ast.AST | None, frame: Frame, node: ast.AST) -> Value | None:
        """``client: OpenAI`` tells which SDK a parameter holds when no caller shows it."""
        if annotation is None:
            return None
        for part in ast.walk(annotation):
            name = dotted_name(part) if isinstance(part, (ast.Name, ast.Attribute)) else None
            if not name:
                continue
            value = self.eval(part, frame)
            spec = self.catalog.client_for(value.ref) if value.ref else None
            if spec is not None and value.ref is not None:
                client = Client(spec, spec.id, value.ref, (), (), frame.location(node), assumed=True)
                return Value(clients=(client,))
        return None

    def set_ambient(self, ref: str, clients: tuple[Client, ...]) -> None:
        """Clients a library uses when a call names none (LlamaIndex ``Settings``, ``dspy.configure``)."""
        package = ref.split(".")[0]
        known = self.ambient.setdefault(package, [])
        known.extend(c for c in clients if c not in known)
