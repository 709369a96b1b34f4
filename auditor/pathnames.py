"""File names are data: an identifier in a path is masked wherever the path is shown or stored.

``patients/536-22-8147_zelda.csv`` is listed as ``patients/***-**-**47_zelda~5c1e07a2.csv``:
each identifier in a path component is masked like a finding's value, and the component gets
a tag, the first 8 hex digits of the HMAC-SHA256 of the raw component under the site key
(the fingerprint key). The tag keeps masked names apart (two patients whose SSNs end alike)
and stable across scans, so identities, diffs and waivers by path still work; whoever holds
the key and the file can recompute it (``name_tag``), nobody else can reverse it.

Only identifiers with a shape are looked for (SSN, e-mail address, phone, card and account
numbers, auditor's labelled identifiers such as ``mrn_00482913``): no NER, so a scan of many
files pays microseconds per name, and ordinary names (``Report Final.docx``) stay readable.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from auditor.fingerprint import mask_value

if TYPE_CHECKING:
    from auditor.detectors.quick import QuickDetector

TAG_CHARS = 8

# Identifiers recognisable by shape alone, as file names hold them.
_SHAPES = re.compile(
    r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"  # e-mail address (a domain holds no "_")
    r"|(?<!\d)\d{3}[-_ ]\d{2}[-_ ]\d{4}(?!\d)"  # SSN / ITIN
    r"|(?<!\d)\(?\d{3}\)?[-_. ]\d{3}[-_. ]\d{4}(?!\d)"  # North American phone
    r"|\+\d{1,3}[-_. ]?\d{2,4}[-_. ]?\d{3,4}[-_. ]?\d{3,4}"  # international phone
    r"|(?<!\d)(?:\d[-_ ]?){12,18}\d(?!\d)"  # card and bank numbers
    r"|(?<!\d)\d{7,}(?!\d)",  # record, account and member numbers
)
# A compact date (20240131) names a day, not a person: it stays (Safe Harbor's dates are
# dates related to an individual, which a log's rotation date is not).
_EXTENSION = re.compile(
    r"\.(?:txt|md|csv|tsv|json|jsonl|ndjson|log|py|pdf|docx?|xlsx?|html?|xml|ya?ml|eml|msg|zip|gz)$", re.IGNORECASE
)
_DATE = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")


def mask_path(path: str, key: bytes) -> str:
    """``path`` with every component that holds an identifier masked and tagged."""
    return "/".join(_mask_component(part, key) for part in path.split("/"))


def name_tag(component: str, key: bytes) -> str:
    """The tag a masked component carries: keyed, so it says nothing without the key."""
    digest = hmac.new(key, b"path\x1f" + component.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return digest.hexdigest()[:TAG_CHARS]


def identifier_spans(name: str) -> list[tuple[int, int]]:
    """(start, end) of each identifier found in one path component."""
    spans = []
    for match in _SHAPES.finditer(name):
        start, end = match.span()
        if _DATE.fullmatch(match.group()):
            continue
        extension = _EXTENSION.search(match.group())
        if extension and "@" in match.group() and end == len(name):
            end -= len(extension.group())  # an e-mail address then the file's extension
        spans.append((start, end))
    spans += _labelled_spans(name)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@lru_cache(maxsize=65536)
def _mask_component(part: str, key: bytes) -> str:
    spans = identifier_spans(part)
    if not spans:
        return part
    out, cursor = [], 0
    for start, end in spans:
        out += [part[cursor:start], mask_value(part[start:end])]
        cursor = end
    out.append(part[cursor:])
    masked = "".join(out)
    stem, dot, suffix = masked.rpartition(".")
    tag = "~" + name_tag(part, key)
    if dot and stem and "*" not in suffix and len(suffix) <= 8:
        return f"{stem}{tag}.{suffix}"
    return masked + tag


def _labelled_spans(name: str) -> list[tuple[int, int]]:
    """auditor's own recognizers (``MRN 00482913``), over the name with ``_`` and ``.`` as spaces."""
    text = re.sub(r"[_.]", " ", name)  # same length: offsets hold
    return [(s.start, s.end) for s in _quick().detect(text) if _has_digit(name[s.start : s.end])]


@lru_cache(maxsize=1)
def _quick() -> QuickDetector:
    from auditor.detectors.quick import QuickDetector

    return QuickDetector()


def _has_digit(value: str) -> bool:
    return any(ch.isdigit() for ch in value)
