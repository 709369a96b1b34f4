"""Code for newer Pythons parses on the interpreter auditor runs on, with exact positions;
only a real syntax error makes the code-flow scanner skip a file."""

from __future__ import annotations

import ast

import pytest

from auditor.flows.python.parsing import parse_python
from auditor.flows.python.project import parse_module
from auditor.model import SkippedSource

PEP_701 = 'x = {"a": 1}\ns = f"{x["a"]} and {\'\\n\'.join(["p", "q"])}"; é = "ü"; y = é\n'


def _names(tree: ast.AST) -> dict[str, list[tuple[int, int, int, int]]]:
    found: dict[str, list[tuple[int, int, int, int]]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.setdefault(node.id, []).append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset))
    return found


def test_nested_same_quotes_and_backslashes_in_f_strings_parse_to_a_joined_string():
    tree = parse_python(PEP_701)
    joined = tree.body[1].value
    assert isinstance(joined, ast.JoinedStr)
    subscript, text, call = (getattr(v, "value", v) for v in joined.values)
    assert ast.unparse(subscript) == "x['a']" and text == " and "
    assert ast.unparse(call) == "'\\n'.join(['p', 'q'])"


def test_every_node_keeps_the_line_and_byte_column_the_newer_interpreter_gives_it():
    names = _names(parse_python(PEP_701))
    assert sorted(names["x"]) == [(1, 0, 1, 1), (2, 7, 2, 8)]
    # After the f-string, columns are UTF-8 offsets, as ast has them: "é" takes two bytes.
    assert sorted(names["é"]) == [(2, 45, 2, 47), (2, 60, 2, 62)]
    assert names["y"] == [(2, 56, 2, 57)]
    joined = parse_python(PEP_701).body[1].value
    assert (joined.lineno, joined.col_offset, joined.end_lineno, joined.end_col_offset) == (2, 4, 2, 43)


def test_f_strings_nested_in_f_strings_and_implicit_concatenation_and_format_specs():
    source = 'v = f"{f"{d["k"]}"}" "tail" f"{w!r:>{n}}" f"{z=}"\n'
    joined = parse_python(source).body[0].value
    inner, tail, spec, debug, z = joined.values
    assert isinstance(inner.value, ast.JoinedStr) and tail.value == "tail" and debug.value == "z="
    assert (spec.conversion, ast.unparse(spec.format_spec)) == (ord("r"), "f'>{n}'")
    assert z.conversion == ord("r") and set(_names(joined)) == {"d", "w", "n", "z"}
    assert sorted(_names(joined)["d"]) == [(1, 10, 1, 11)]


def test_a_multi_line_f_string_with_a_comment_in_its_field_keeps_the_lines_after_it():
    source = 'u = (f"""first {x["a"]\n   # a comment\n}\nend""", y)\nz = 1\n'
    tree = parse_python(source)
    assert _names(tree)["y"] == [(4, 8, 4, 9)]
    assert _names(tree)["z"] == [(5, 0, 5, 1)]
    assert _names(tree)["x"] == [(1, 16, 1, 17)]


def test_type_parameters_and_type_statements_parse():
    source = (
        "type Pair[T = int] = tuple[T, T]\n"
        "def first[T](items: list[T]) -> T:\n    return items[0]\n"
        "class Box[T](object): pass\n"
    )
    tree = parse_python(source)
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
    assert (function.name, function.lineno, function.args.args[0].col_offset) == ("first", 2, 13)


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("def f(:\n    pass\n", 1, "invalid syntax"),
        ('x = f"{a["b"]}"\ny = (\n', 2, "parser error"),
        ('x = f"{a["b"]}"\nprint("unclosed)\n', 2, "unterminated string"),
    ],
)
def test_a_real_syntax_error_is_skipped_with_its_reason_and_line(tmp_path, source, line, message):
    path = tmp_path / "broken.py"
    path.write_text(source, encoding="utf-8")
    skipped = parse_module(str(path), "broken.py")
    assert isinstance(skipped, SkippedSource)
    assert skipped.reason.startswith("code-flow analysis skipped: syntax error: ")
    assert message in skipped.reason and skipped.line == line


@pytest.mark.parametrize(
    "source",
    [
        'x = f"{' + "(" * 20000 + 'a["k"]' + ")" * 20000 + '}"\n',
        "def f[T](x): pass\ny = " + "[" * 20000 + "]" * 20000 + "\n",
        'note = f"{a["b"]}"\x00\n',
    ],
    ids=["deep-f-string", "deep-with-type-parameters", "null-byte"],
)
def test_deeply_nested_or_binary_newer_syntax_is_skipped_with_a_reason_not_a_crash(tmp_path, source):
    path = tmp_path / "hostile.py"
    path.write_text(source, encoding="utf-8")
    skipped = parse_module(str(path), "hostile.py")
    assert isinstance(skipped, SkippedSource)
    assert skipped.reason.startswith("code-flow analysis skipped: ")
