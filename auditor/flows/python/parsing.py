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


def parse_python(source: str, filename: str = "<unknown>") -> ast.Module:
    """The ``ast`` tree of ``source``; SyntaxError only when no Python grammar accepts it."""
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError as error:
        from auditor.flows.python.newer_syntax import parse_newer_syntax  # LibCST: only when needed

        tree = parse_newer_syntax(source, filename)
        if isinstance(tree, ast.Module):
            return tree
        if isinstance(tree, SyntaxError) and (error.msg or "").startswith("f-string"):
            # The interpreter stumbled on newer f-string syntax; the real error is elsewhere.
            raise tree from None
        raise error from None
