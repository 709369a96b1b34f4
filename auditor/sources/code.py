"""Source files: only their string literals here (the code-flow scanner is its own layer)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Callable, Iterator

from auditor.model import SkippedSource
from auditor.sources.base import Piece, SourceEvent, join_pieces, text_piece

MIN_LITERAL_CHARS = 4
# Quoted literals in C-family languages, JavaScript/TypeScript, Go, Ruby, PHP...
_C_LIKE_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`(?:[^`\\]|\\.)*`')


def read_python(path: str, display: str, encoding: str = "utf-8-sig") -> Iterator[SourceEvent]:
    """String literals of a Python file (f-strings as written), with their positions."""
    with open(path, encoding=encoding, newline="") as handle:
        source = handle.read()
    parts = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING:
                value, body_offset = _python_literal(token.string)
            elif token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
                value, body_offset = token.string, 0
            else:
                continue
            if len(value.strip()) < MIN_LITERAL_CHARS:
                continue
            line, col = token.start
            parts.append(("", value, _maker(display, line, col + 1 + body_offset)))
    except (tokenize.TokenError, SyntaxError, IndentationError) as exc:
        yield SkippedSource(display, f"cannot tokenize Python source: {exc}")
        return
    if parts:
        yield join_pieces(parts)


def read_code(path: str, display: str, encoding: str = "utf-8-sig") -> Iterator[SourceEvent]:
    """Quoted string literals of other languages, found by a lexical pattern."""
    with open(path, encoding=encoding, newline="") as handle:
        source = handle.read()
    parts = []
    for match in _C_LIKE_LITERAL.finditer(source):
        value = match.group()[1:-1]
        if len(value.strip()) < MIN_LITERAL_CHARS:
            continue
        start = match.start() + 1
        line = source.count("\n", 0, start) + 1
        col = start - (source.rfind("\n", 0, start) + 1) + 1
        parts.append(("", value, _maker(display, line, col)))
    if parts:
        yield join_pieces(parts)


def _python_literal(token_text: str) -> tuple[str, int]:
    """The value of a string token and where its body starts within the token."""
    prefix_len = len(token_text) - len(token_text.lstrip("rRbBuUfF"))
    quote = token_text[prefix_len : prefix_len + 3]
    quote_len = 3 if quote in ('"""', "'''") else 1
    body_offset = prefix_len + quote_len
    try:
        value = ast.literal_eval(token_text)
    except (ValueError, SyntaxError):
        value = None
    if not isinstance(value, str):  # f-strings, bytes: the literal as written
        value = token_text[body_offset : len(token_text) - quote_len]
    return value, body_offset


def _maker(display: str, line: int, column: int) -> Callable[[str, int], Piece]:
    def make(text: str, start: int) -> Piece:
        return text_piece(display, text, start, line, column)

    return make
