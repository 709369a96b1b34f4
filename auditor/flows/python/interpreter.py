"""An abstract interpreter over Python's ``ast``: statements and expressions to Values.

It runs each function once on its own (parameters named like regulated data are sources) and
again, bounded in depth, inside its callers with their arguments, so data and clients cross
function and module boundaries. Branches merge; loops run once; what it does not model
yields an empty value, never an error.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field, replace

from auditor.flows.python.meaning import PROMPT_KEYS, comment_text, sql_tables
from auditor.flows.python.project import ClassInfo, FunctionInfo, ModuleInfo, dotted_name
from auditor.flows.python.values import EMPTY, Client, Trace, Value, data_of, merge
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


class Interpreter:
    """Statements and expressions; calls are delegated to ``self.call`` (see calls.py)."""

    project: object
    catalog: object  # CodeCatalog

    # --- locations and literal findings ------------------------------------------------------

    def loc(self, frame: Frame, node: ast.AST) -> Location:
        return Location(
            frame.module.display, getattr(node, "lineno", 0), getattr(node, "col_offset", 0) + 1, symbol=frame.symbol
        )

    def literal_traces(self, frame: Frame, node: ast.AST) -> tuple[Trace, ...]:
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
        where = self.loc(frame, node)
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
        where = self.loc(frame, node)
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

    def stmt_Expr(self, node, frame):
        self.eval(node.value, frame)

    def stmt_Assign(self, node, frame):
        value = self.eval(node.value, frame)
        for target in node.targets:
            self.bind(target, value, frame, node.value)

    def stmt_AnnAssign(self, node, frame):
        if node.value is not None:
            value = self.eval(node.value, frame)
            if not value.clients:  # service: AzureChatCompletion = kernel.get_service(...)
                value = merge(value, self.annotation_client(node.annotation, frame, node) or EMPTY)
            self.bind(node.target, value, frame, node.value)

    def stmt_AugAssign(self, node, frame):
        value = self.eval(node.value, frame)
        current = self.eval(node.target, frame)
        combined = merge(current, value)
        if isinstance(node.op, ast.Add) and current.text is not None and value.text is not None:
            combined = replace(combined, text=current.text + value.text)
        self.bind(node.target, combined, frame, node.value)

    def stmt_Return(self, node, frame):
        if node.value is not None:
            value = self.eval(node.value, frame)
            if frame.function is not None:
                value = value.hop(Step(self.loc(frame, node), f"returned by {frame.function.qualname}()"))
            frame.returns.append(value)

    def stmt_If(self, node, frame):
        self.eval(node.test, frame)
        self.branches(frame, node.body, node.orelse)

    def stmt_For(self, node, frame):
        items = self.eval(node.iter, frame)
        self.bind(node.target, data_of(items) if not items.clients else items, frame, node.iter)
        self.branches(frame, node.body, [])
        self.run_body(node.orelse, frame)

    stmt_AsyncFor = stmt_For

    def stmt_While(self, node, frame):
        self.eval(node.test, frame)
        self.branches(frame, node.body, [])
        self.run_body(node.orelse, frame)

    def stmt_With(self, node, frame):
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

    def stmt_Try(self, node, frame):
        self.run_body(node.body, frame)
        self.branches(frame, *[h.body for h in node.handlers], node.orelse)
        self.run_body(node.finalbody, frame)

    stmt_TryStar = stmt_Try

    def stmt_Match(self, node, frame):
        self.eval(node.subject, frame)
        self.branches(frame, *[case.body for case in node.cases])

    def stmt_FunctionDef(self, node, frame):
        if frame.is_module:
            frame.env[node.name] = Value(ref=f"{frame.module.key}.{node.name}")
            return
        ref = f"{frame.module.key}.{frame.symbol}.<locals>.{node.name}"
        info = FunctionInfo(ref, f"{frame.symbol}.<locals>.{node.name}", node, frame.module)
        self.project.functions[ref] = info
        self.closures[ref] = frame.env
        frame.env[node.name] = Value(ref=ref)

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, node, frame):
        if frame.is_module:
            frame.env[node.name] = Value(ref=f"{frame.module.key}.{node.name}")

    def stmt_Import(self, node, frame):
        for alias in node.names:
            if alias.asname:
                frame.env[alias.asname] = self.import_value(alias.name, frame.module)
            else:
                head = alias.name.split(".")[0]
                frame.env[head] = self.import_value(head, frame.module)

    def stmt_ImportFrom(self, node, frame):
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
                value = value.hop(Step(self.loc(frame, target), f"assigned to '{target.id}'"))
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
            value = value.hop(Step(self.loc(frame, target), f"assigned to '{dotted_name(target) or target.attr}'"))
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
            self.mutate(target.value, value.hop(Step(self.loc(frame, target), f"stored in '{name}'")), frame)

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
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.eval(child, frame)
            return EMPTY
        return method(node, frame)

    def expr_Constant(self, node, frame):
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

    def expr_JoinedStr(self, node, frame):
        parts, values = [], []
        for piece in node.values:
            if isinstance(piece, ast.Constant):
                parts.append(str(piece.value))
            else:
                value = self.eval(piece.value, frame)
                values.append(value)
                parts.append(value.text if value.text is not None else None)
        text = "".join(parts) if all(p is not None for p in parts) else None
        merged = merge(*values) if values else EMPTY
        sql_text = "".join(p if p is not None else "x" for p in parts)
        marked = ()
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

    def expr_BinOp(self, node, frame):
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

    def expr_BoolOp(self, node, frame):
        values = [self.eval(v, frame) for v in node.values]
        merged = merge(*values)
        if isinstance(node.op, ast.Or):
            # os.environ.get("X") or "default": the first value with a text, env noted
            text = next((v.text for v in values if v.text is not None), None)
            merged = replace(merged, text=text)
        return merged

    def expr_IfExp(self, node, frame):
        self.eval(node.test, frame)
        return merge(self.eval(node.body, frame), self.eval(node.orelse, frame))

    def expr_NamedExpr(self, node, frame):
        value = self.eval(node.value, frame)
        self.bind(node.target, value, frame, node.value)
        return value

    def expr_Yield(self, node, frame):
        """A generator's items are what its callers iterate over: a yield is a return."""
        if node.value is not None:
            value = self.eval(node.value, frame)
            if frame.function is not None:
                value = value.hop(Step(self.loc(frame, node), f"yielded by {frame.function.qualname}()"))
            frame.returns.append(value)
        return EMPTY

    expr_YieldFrom = expr_Yield

    def expr_Await(self, node, frame):
        return self.eval(node.value, frame)

    expr_Starred = expr_Await

    def expr_UnaryOp(self, node, frame):
        self.eval(node.operand, frame)
        return EMPTY

    def expr_Compare(self, node, frame):
        self.eval(node.left, frame)
        for comparator in node.comparators:
            self.eval(comparator, frame)
        return EMPTY

    def expr_Lambda(self, node, frame):
        return EMPTY

    def expr_List(self, node, frame):
        return merge(*[self.eval(e, frame) for e in node.elts]) if node.elts else Value(constant=True)

    expr_Tuple = expr_List
    expr_Set = expr_List

    def expr_Dict(self, node, frame):
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

    def comprehension(self, node, frame, elements):
        inner = Frame(frame.module, frame.symbol, dict(frame.env), frame.depth, frame.function, frame.closure)
        for generator in node.generators:
            items = self.eval(generator.iter, inner)
            self.bind(generator.target, data_of(items) if not items.clients else items, inner, generator.iter)
            for test in generator.ifs:
                self.eval(test, inner)
        return merge(*[self.eval(e, inner) for e in elements])

    def expr_ListComp(self, node, frame):
        return self.comprehension(node, frame, [node.elt])

    expr_SetComp = expr_ListComp
    expr_GeneratorExp = expr_ListComp

    def expr_DictComp(self, node, frame):
        return self.comprehension(node, frame, [node.key, node.value])

    def expr_Name(self, node, frame):
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

    def expr_Attribute(self, node, frame):
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

    def expr_Subscript(self, node, frame):
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

    def expr_Slice(self, node, frame):
        for part in (node.lower, node.upper, node.step):
            if part is not None:
                self.eval(part, frame)
        return Value(constant=True)

    def expr_Call(self, node, frame):
        return self.call(node, frame)

    # --- helpers -------------------------------------------------------------------------------

    def combine(self, *groups: tuple[Trace, ...]) -> tuple[Trace, ...]:
        from auditor.flows.python.values import merge_traces

        return merge_traces(*groups)

    def sql_sources(self, text: str, frame: Frame, node: ast.AST) -> tuple[DataSource, ...]:
        found = []
        for table in sql_tables(text):
            categories = self.catalog.vocabulary.categories(table)
            if categories:
                found.append(DataSource(f"SQL reading table '{table}'", categories, self.loc(frame, node)))
        return tuple(found)

    def class_attribute(self, cls: ClassInfo, attr: str) -> Value | None:
        """A class-level attribute (settings classes), with its environment variable when it is
        a pydantic ``BaseSettings`` field."""
        if attr not in cls.attributes:
            cls.attributes[attr] = None  # a class that names itself in its body stops here
            cls.attributes[attr] = self._class_attribute(cls, attr)
        return cls.attributes[attr]

    def _class_attribute(self, cls: ClassInfo, attr: str) -> Value | None:
        for item in cls.node.body:
            target, value_node = None, None
            if isinstance(item, ast.Assign) and len(item.targets) == 1:
                target, value_node = item.targets[0], item.value
            elif isinstance(item, ast.AnnAssign) and item.value is not None:
                target, value_node = item.target, item.value
            if isinstance(target, ast.Name) and target.id == attr:
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
            if spec is not None:
                client = Client(spec, spec.id, value.ref, (), (), self.loc(frame, node), assumed=True)
                return Value(clients=(client,))
        return None

    def set_ambient(self, ref: str, clients: tuple[Client, ...]) -> None:
        """Clients a library uses when a call names none (LlamaIndex ``Settings``, ``dspy.configure``)."""
        package = ref.split(".")[0]
        known = self.ambient.setdefault(package, [])
        known.extend(c for c in clients if c not in known)
