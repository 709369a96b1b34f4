"""Property-based hostile input (issue 19): readers and loaders never raise out, and no
generated identifier reaches a location.

Budgets: ``READER_EXAMPLES`` examples per reader and loader (the CI run); raise it locally
with ``AUDITOR_HYPOTHESIS_EXAMPLES=10000`` for a long soak.
"""

from __future__ import annotations

import json
import os
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.catalog.schema import load_yaml
from auditor.errors import ConfigError
from auditor.model import RecordContext, SkippedSource
from auditor.siteconfig import load_site_config
from auditor.sources import FileToScan, iter_files, read_source
from auditor.sources.base import TextUnit

READER_EXAMPLES = int(os.environ.get("AUDITOR_HYPOTHESIS_EXAMPLES", "150"))
# No example database: it would be a .hypothesis/ folder in the checkout (tests leave it alone).
SETTINGS = settings(
    max_examples=READER_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SUFFIXES = [".txt", ".json", ".jsonl", ".csv", ".tsv", ".py", ".js"]


def _read_all(path: Path) -> list:
    """What the scan does with one file: the walk's check, then its reader, to the end."""
    events: list = []
    for entry in iter_files([str(path)], (), False, 50 * 2**20):
        if isinstance(entry, FileToScan):
            events.extend(read_source(entry))
        else:
            events.append(entry)
    return events


_SCRATCH = tempfile.TemporaryDirectory(prefix="auditor-hypothesis-")  # removed at exit


def _written(data: bytes, suffix: str, name: str = "input") -> Path:
    path = Path(_SCRATCH.name) / f"{name}{suffix}"
    path.write_bytes(data)
    return path


@SETTINGS
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes_never_raise_out_of_a_reader(data, suffix):
    for event in _read_all(_written(data, suffix)):
        assert isinstance(event, TextUnit | RecordContext | SkippedSource)
        if isinstance(event, TextUnit):
            event.text.encode("utf-8")  # everything handed on can be written out


JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=40),
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=40,
)


@SETTINGS
@given(document=JSON_VALUES, suffix=st.sampled_from([".json", ".jsonl"]))
def test_arbitrary_json_structures_never_raise_out_of_a_reader(document, suffix):
    text = json.dumps(document) + "\n"
    for event in _read_all(_written(text.encode("utf-8"), suffix)):
        if isinstance(event, TextUnit):
            event.text.encode("utf-8")
            for piece in event.pieces:
                str(piece.locate(0)).encode("utf-8")


SSNS = st.builds(
    lambda a, b, c: f"{a:03d}-{b:02d}-{c:04d}",
    st.integers(100, 665),
    st.integers(10, 99),
    st.integers(1000, 9999),
)
EMAILS = st.builds(
    lambda user, host: f"{user}@{host}.example.org",
    st.text(string.ascii_lowercase, min_size=3, max_size=10),
    st.text(string.ascii_lowercase, min_size=3, max_size=10),
)
IDENTIFIERS = st.one_of(SSNS, EMAILS)


def _pointers(events: list) -> list[str]:
    found = []
    for event in events:
        if isinstance(event, TextUnit):
            for piece in event.pieces:
                found.append(str(piece.locate(0)))
    return found


@SETTINGS
@given(keys=st.lists(IDENTIFIERS, min_size=1, max_size=4, unique=True))
def test_identifiers_as_json_keys_never_reach_a_location(keys):
    document = {"prompt_by_user": {key: f"note about {key}" for key in keys}}
    locations = _pointers(_read_all(_written(json.dumps(document).encode(), ".json")))
    assert locations and not [k for k in keys for where in locations if k in where]


@SETTINGS
@given(rows=st.lists(st.tuples(SSNS, EMAILS), min_size=1, max_size=4))
def test_identifiers_in_a_headerless_csv_never_reach_a_location(rows):
    text = "".join(f"{ssn},{email}\n" for ssn, email in rows)
    events = _read_all(_written(text.encode(), ".csv"))
    locations = _pointers(events)
    assert len([e for e in events if isinstance(e, TextUnit)]) == len(rows)  # the first row is data
    assert not [v for row in rows for v in row for where in locations if v in where]


@SETTINGS
@given(text=st.text(max_size=600))
def test_arbitrary_yaml_raises_only_a_configuration_error(text):
    path = _written(text.encode("utf-8", "surrogatepass"), ".yaml")
    try:
        load_yaml(path)
    except ConfigError:
        pass


@SETTINGS
@given(text=st.text(max_size=400))
def test_arbitrary_site_files_raise_only_a_configuration_error(text):
    site = _written(text.encode("utf-8", "surrogatepass"), ".toml", name="auditor")
    try:
        load_site_config(site)
    except ConfigError:
        pass


@SETTINGS
@given(table=st.dictionaries(st.sampled_from(["frameworks", "fail_on", "agreements", "rule_dirs", "x"]), JSON_VALUES))
def test_arbitrary_site_tables_raise_only_a_configuration_error(table):
    from auditor.siteconfig import parse_site_config

    try:
        parse_site_config(table)
    except ConfigError:
        pass


@pytest.mark.parametrize("name", ["packs", "waivers"])
@SETTINGS
@given(document=JSON_VALUES)
def test_arbitrary_pack_and_waiver_documents_raise_only_a_configuration_error(name, document):
    from auditor.policy.packs import load_pack
    from auditor.policy.waivers import load_waivers

    path = _written(json.dumps(document).encode(), ".yaml")  # JSON is YAML
    try:
        load_pack(path) if name == "packs" else load_waivers(path)
    except ConfigError:
        pass
