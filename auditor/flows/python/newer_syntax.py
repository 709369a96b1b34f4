"""Interpreter ``ast`` trees for sources only a newer Python grammar accepts (see parsing.py).

Type parameters (``def f[T]``, ``class C[T]``) and ``type X = ...`` statements only declare
types, which the analyser does not follow: they are blanked out (``type`` becomes ``0;``).

LibCST parses the file; each f-string the running interpreter cannot read is blanked out in
the source as ``(0`` ... ``)`` with the same UTF-8 length on every line (so every other node
keeps its line and column), the source is parsed again by ``ast``, and each blank is replaced
by the ``ast.JoinedStr`` built from LibCST's pieces, at the f-string's own position.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any, cast

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def parse_newer_syntax(
    source: str, filename: str, reparse: Callable[[str, str], ast.Module]
) -> ast.Module | SyntaxError | None:
    """The tree of a source only newer grammars accept; else LibCST's error, or None where the
    interpreter's own error stands. ``reparse`` (``parsing.parse_python``, passed in so the two
    modules do not import each other) reads each f-string's replacement fields."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return SyntaxError(exc.message, (filename, exc.raw_line, exc.raw_column + 1, None))
    except (Exception, RecursionError):  # noqa: BLE001 - odd input can raise others: not Python then
        return None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    finder = _NewerStrings(module)
    module.visit(finder)
    if not finder.found and not finder.type_syntax:
        return None  # nothing here that this module knows how to rewrite
    original = _LINES.findall(source)
    lines = list(original)
    for node, keyword_only in finder.type_syntax:
        # Type parameters (PEP 695, 696) and ``type`` statements only declare types: blanked.
        span = positions[node]
        if keyword_only:
            lines[span.start.line - 1] = _replace(lines[span.start.line - 1], span.start.column, "0;  ")
        elif span.start.line == span.end.line:
            line = lines[span.start.line - 1]
            width = span.end.column - span.start.column
            lines[span.start.line - 1] = _replace(line, span.start.column, " " * width)
    builder = _Builder(module, positions, original, filename, reparse)
    replacements: dict[tuple[int, int], ast.expr] = {}
    spans = [(positions[node], node) for node in finder.found]
    # Last first: blanking never moves the character columns of a span before it.
    for span, node in sorted(spans, key=lambda s: (s[0].start.line, s[0].start.column), reverse=True):
        start = (span.start.line, _byte_col(original, span.start.line, span.start.column))
        end = (span.end.line, _byte_col(original, span.end.line, span.end.column))
        joined = builder.joined(node)
        _locate(joined, start, end)
        replacements[(start[0], start[1] + 1)] = joined  # the blank's "0" follows its "("
        _blank(lines, span)
    try:
        tree = ast.parse("".join(lines), filename=filename)
    except SyntaxError:
        return None  # another newer construct (type parameters...): the interpreter's error stands
    substituted = cast(ast.Module, _Substitute(replacements).visit(tree))
    return ast.fix_missing_locations(substituted)  # format specs' pieces


class _NewerStrings(cst.CSTVisitor):
    """The outermost string expressions (f-strings, and the implicit concatenations that hold
    one) that the running interpreter cannot parse."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self._module = module
        self.found: list[cst.BaseExpression] = []
        self.type_syntax: list[tuple[cst.CSTNode, bool]] = []  # (node, only its "type" keyword)

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.TypeAlias):
            self.type_syntax.append((node, True))
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.TypeAlias)) and node.type_parameters:
            self.type_syntax.append((node.type_parameters, False))
        if isinstance(node, (cst.FormattedString, cst.ConcatenatedString)):
            if not _parses(self._module.code_for_node(node)):
                self.found.append(node)
            return False
        return not isinstance(node, cst.SimpleString)


def _replace(line: str, column: int, text: str) -> str:
    return line[:column] + text + line[column + len(text) :]


class _Builder:
    """``ast.JoinedStr`` trees from LibCST's f-string nodes; each replacement field is parsed
    again with ``parse_python``, so an f-string of the newer grammar nested in it is read too."""

    def __init__(
        self,
        module: cst.Module,
        positions: Any,
        lines: list[str],
        filename: str,
        reparse: Callable[[str, str], ast.Module],
    ) -> None:
        self._module = module
        self._positions = positions
        self._lines = lines
        self._filename = filename
        self._reparse = reparse

    def joined(self, node: cst.BaseExpression) -> ast.JoinedStr:
        values: list[ast.expr] = []
        for piece in self._pieces(node):
            if isinstance(piece, cst.FormattedString):
                values.extend(self._parts(piece.parts, piece.prefix, piece.end))
            elif isinstance(piece, cst.SimpleString):
                values.append(ast.Constant(piece.evaluated_value))
        return ast.JoinedStr(_merge_constants(values))

    def _pieces(self, node: cst.BaseExpression) -> list[cst.BaseExpression]:
        if isinstance(node, cst.ConcatenatedString):
            return self._pieces(node.left) + self._pieces(node.right)
        return [node]

    def _parts(self, parts: Any, prefix: str, quote: str) -> list[ast.expr]:
        values: list[ast.expr] = []
        for part in parts:
            if isinstance(part, cst.FormattedStringText):
                values.append(ast.Constant(_text_value(part.value, prefix, quote)))
                continue
            if part.equal is not None:
                values.append(ast.Constant(self._module.code_for_node(part.expression) + "="))
            conversion = ord(part.conversion) if part.conversion else -1
            if part.equal is not None and conversion == -1 and part.format_spec is None:
                conversion = ord("r")  # "{x=}" shows repr(x), as the interpreter has it
            spec = None
            if part.format_spec is not None:
                spec = ast.JoinedStr(_merge_constants(self._parts(part.format_spec, prefix, quote)))
            values.append(ast.FormattedValue(self._expression(part.expression), conversion, spec))
        return values

    def _expression(self, node: cst.BaseExpression) -> ast.expr:
        """A replacement field's expression, parsed on its own and moved to where it stands."""
        span: CodeRange = self._positions[node]
        tree = self._reparse("(" + self._module.code_for_node(node) + "\n)", self._filename)
        expression = cast(ast.Expr, tree.body[0]).value
        line = span.start.line
        col = _byte_col(self._lines, line, span.start.column) - 1  # the "(" before the code
        for walked in ast.walk(expression):
            if not hasattr(walked, "lineno"):
                continue
            child: Any = walked  # an expr, keyword or arg: each has a position
            if child.lineno == 1:
                child.col_offset += col
            if child.end_lineno == 1:
                child.end_col_offset += col
            child.lineno += line - 1
            child.end_lineno += line - 1
        return expression


class _Substitute(ast.NodeTransformer):
    """Puts each f-string tree where its blank was parsed."""

    def __init__(self, replacements: dict[tuple[int, int], ast.expr]) -> None:
        self._replacements = replacements

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if node.value != 0:
            return node
        return self._replacements.get((node.lineno, node.col_offset), node)


def _parses(code: str) -> bool:
    try:
        ast.parse("(" + code + "\n)", mode="eval")
    except SyntaxError:
        return False
    return True


def _text_value(text: str, prefix: str, quote: str) -> str:
    """The value of the literal text between replacement fields, escapes decoded."""
    text = text.replace("{{", "{").replace("}}", "}")
    raw = "r" if "r" in prefix.lower() else ""
    try:
        value = ast.literal_eval(raw + quote + text + quote)
    except (SyntaxError, ValueError):
        return text
    return value if isinstance(value, str) else text


def _merge_constants(values: list[ast.expr]) -> list[ast.expr]:
    merged: list[ast.expr] = []
    for value in values:
        if isinstance(value, ast.Constant) and merged and isinstance(merged[-1], ast.Constant):
            # The literal parts of an f-string are str.
            merged[-1] = ast.Constant(cast(str, merged[-1].value) + cast(str, value.value))
        elif not (isinstance(value, ast.Constant) and value.value == ""):
            merged.append(value)
    return merged


def _byte_col(lines: list[str], line: int, column: int) -> int:
    """The UTF-8 offset ``ast`` uses for a character column of a line."""
    text = lines[line - 1] if line - 1 < len(lines) else ""
    return len(text[:column].encode("utf-8"))


def _blank(lines: list[str], span: CodeRange) -> None:
    """Replaces the span with ``(0``, spaces and ``)``: the same UTF-8 length on every line, so
    nothing else on them moves; inside the parentheses its line breaks are free."""
    for number in range(span.start.line, span.end.line + 1):
        text = lines[number - 1]
        body = text.rstrip("\r\n")
        ending = text[len(body) :]
        start = span.start.column if number == span.start.line else 0
        stop = span.end.column if number == span.end.line else len(body)
        filler = [" "] * len(body[start:stop].encode("utf-8"))
        if number == span.start.line:
            filler[:2] = ["(", "0"]
        if number == span.end.line:
            filler[-1] = ")"
        lines[number - 1] = body[:start] + "".join(filler) + body[stop:] + ending


def _locate(node: ast.JoinedStr, start: tuple[int, int], end: tuple[int, int]) -> None:
    """Gives the f-string and its literal pieces the span of the f-string, as ``ast`` does."""
    for child in (node, *node.values):
        if isinstance(child, (ast.JoinedStr, ast.Constant, ast.FormattedValue)):
            child.lineno, child.col_offset = start
            child.end_lineno, child.end_col_offset = end
