"""Python source to an ``ast`` tree, whichever Python the code was written for.

The analyser walks the running interpreter's ``ast``. Code for Python 3.12 and later may use
f-strings that 3.11's parser rejects (PEP 701: the same quote nested inside, backslashes and
comments in the replacement fields). When ``ast.parse`` fails, LibCST's parser, which reads
the grammar of Python 3.0 to 3.13 and beyond, decides whether the file is valid; if it is,
each f-string that 3.11 cannot read is blanked out in the source (same bytes on every line,
so every other node keeps its line and column), the source is parsed again, and the blank is
replaced by the ``ast.JoinedStr`` built from LibCST's pieces at the f-string's own position.
A file that LibCST cannot parse either has a real syntax error: the interpreter's message is
reported, or LibCST's where the interpreter's only names a newer f-string.
"""

from __future__ import annotations

import ast
import re

# What the interpreter says of a newer f-string, and the shapes of type parameters (PEP 695).
_FSTRING_ERRORS = ("f-string", "unterminated string literal")
_TYPE_SYNTAX = re.compile(r"^[ \t]*(?:type[ \t]+\w+|(?:async[ \t]+)?def[ \t]+\w+[ \t]*\[|class[ \t]+\w+[ \t]*\[)", re.M)
# LibCST's parser recurses natively: nesting this deep is refused before it can exhaust the stack.
MAX_NESTING = 100


def parse_python(source: str, filename: str = "<unknown>") -> ast.Module:
    """The ``ast`` tree of ``source``; SyntaxError only when no Python grammar accepts it."""
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError as error:
        if not _may_be_newer_syntax(error, source):
            raise
        from auditor.flows.python.newer_syntax import parse_newer_syntax  # LibCST: only when needed

        tree = parse_newer_syntax(source, filename, parse_python)
        if isinstance(tree, ast.Module):
            return tree
        if isinstance(tree, SyntaxError) and (error.msg or "").startswith("f-string"):
            # The interpreter stumbled on newer f-string syntax; the real error is elsewhere.
            raise tree from None
        raise error from None


def _may_be_newer_syntax(error: SyntaxError, source: str) -> bool:
    """Whether a second parser could read what the interpreter refused: a newer f-string or
    type parameters, in a file not nested deeper than ``MAX_NESTING`` brackets."""
    message = error.msg or ""
    if not (message.startswith(_FSTRING_ERRORS) or _TYPE_SYNTAX.search(source)):
        return False
    return _nesting(source) <= MAX_NESTING


def _nesting(source: str) -> int:
    """The deepest bracket nesting, counted over the raw text (strings included: an upper bound)."""
    depth = deepest = 0
    for char in source:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest
