"""What names, comments, templates, SQL and models say about the data a value holds.

Pure helpers of the analyser's "sources by meaning": no state, no analyser; the analyser turns
what they find into traces.
"""

from __future__ import annotations

import ast
import re

from auditor.flows.python.catalog import Vocabulary, split_words
from auditor.model import Category

# Keys of a request body that asks a model for text: what makes an HTTP post a model call.
PROMPT_KEYS = frozenset({"messages", "prompt", "prompts", "inputs", "contents"})
# A keyword argument with one of these last words lists the fields a call reads.
FIELD_LIST_WORDS = frozenset({"properties", "fields", "columns", "attributes"})

_SQL = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
_SQL_TABLE = re.compile(r"\b(?:from|join)\s+([A-Za-z_][\w.\"`\[\]]*)", re.IGNORECASE)
# A select list of aggregates only (count, sums, averages) reads no row: not a source.
_SQL_SELECT_LIST = re.compile(r"^\s*select\s+(?:distinct\s+)?(.*?)\s+from\b", re.IGNORECASE | re.DOTALL)
_SQL_AGGREGATE = re.compile(r"^(count|sum|avg|min|max)\s*\(.*\)(\s+(as\s+)?\w+)?$", re.IGNORECASE | re.DOTALL)


def sql_tables(text: str) -> list[str]:
    """Tables a SQL query reads rows of; none for a query that selects only aggregates."""
    if len(text) < 12 or not _SQL.match(text) or aggregates_only(text):
        return []
    return [m.group(1).strip('"`[]').rsplit(".", 1)[-1] for m in _SQL_TABLE.finditer(text)]


def aggregates_only(sql: str) -> bool:
    """``SELECT count(*) FROM patients``: every selected item is an aggregate."""
    match = _SQL_SELECT_LIST.match(sql)
    if not match:
        return False
    items = [i.strip() for i in re.split(r",(?![^(]*\))", match.group(1))]
    return bool(items) and all(_SQL_AGGREGATE.match(i) for i in items)


def listed_fields(keyword: ast.keyword) -> list[ast.Constant]:
    """The field names of ``text_node_properties=["patient_name", ...]``-like arguments."""
    words = split_words(keyword.arg or "")
    if not (words and words[-1] in FIELD_LIST_WORDS and isinstance(keyword.value, (ast.List, ast.Tuple))):
        return []
    return [e for e in keyword.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]


def comment_text(lines: list[str], line: int) -> str:
    """The comment on ``line`` and the comment lines just above it (two at most)."""
    if not 0 < line <= len(lines):
        return ""
    texts = []
    current = lines[line - 1]
    if "#" in current:
        texts.append(current[current.index("#") :])
    above = line - 2
    while above >= 0 and above >= line - 3 and lines[above].lstrip().startswith("#"):
        texts.append(lines[above])
        above -= 1
    return " ".join(texts)


# Calls that declare a mapped column: SQLAlchemy, SQLModel and Django fields.
_COLUMN_CALLS = re.compile(r"^(Column|mapped_column|relationship|models\.\w+Field|models\.ForeignKey)$")


def is_orm_model(node: ast.ClassDef) -> bool:
    """A class mapped to a table (``__tablename__``, ``Column``/``mapped_column`` fields,
    Django ``models.*Field``, SQLModel's ``table=True``): querying it reads rows. A pydantic
    schema named as an output type is not."""
    if any(k.arg == "table" and isinstance(k.value, ast.Constant) and k.value.value is True for k in node.keywords):
        return True
    for item in node.body:
        value = item.value if isinstance(item, (ast.Assign, ast.AnnAssign)) else None
        targets = item.targets if isinstance(item, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in targets):
            return True
        if isinstance(value, ast.Call) and _COLUMN_CALLS.match(ast.unparse(value.func)):
            return True
    return False


def model_fields(node: ast.ClassDef, vocabulary: Vocabulary) -> list[tuple[str, tuple[Category, ...]]]:
    """Names of an ORM model class (its own, its table's, its fields') that name regulated data."""
    if not is_orm_model(node):
        return []
    names = [node.name]
    for item in node.body:
        if isinstance(item, ast.Assign):
            targets = item.targets
        elif isinstance(item, ast.AnnAssign):
            targets = [item.target]
        else:
            continue
        names.extend(t.id for t in targets if isinstance(t, ast.Name) and not t.id.startswith("__"))
        is_table = any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in targets)
        if is_table and isinstance(item.value, ast.Constant) and isinstance(item.value.value, str):
            names.append(item.value.value)
    return [(n, c) for n in names if (c := vocabulary.categories(n))]
