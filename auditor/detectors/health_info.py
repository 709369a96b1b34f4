"""Health information: what makes the identifiers beside it PHI (45 CFR 160.103).

Not an identifier itself: a diagnosis code, a procedure code, a medication and its dose, a
named condition or procedure. It is reported as ``HEALTH_INFO`` only in a text that names or
numbers someone (``EntityInfo.needs_person``), so that a flow's finding list says which health
information made its identifiers PHI; a question about metformin doses that names nobody
reports nothing.
"""

from __future__ import annotations

import re
from functools import cache

from auditor.detectors.clinical import CONDITION
from auditor.detectors.filters import drug_names
from auditor.detectors.specs import IGNORECASE_MULTILINE, PatternSpec

# Drug names that are also everyday words ("swan", "neo", "brady") count only with a dose.
_EVERYDAY_DRUG_WORDS = frozenset({"brady", "neo", "swan", "potassium", "insulin", "jackson-pratt", "swan-ganz"})
_DOSE = r"\d+(?:\.\d+)?\s?(?:mg|mcg|µg|g|mL|ml|cc|units?|u|mEq|mg/kg|mg/dL)\b"


@cache
def _drugs_pattern() -> str:
    names = sorted((n for n in drug_names() if n not in _EVERYDAY_DRUG_WORDS), key=len, reverse=True)
    everyday = sorted(_EVERYDAY_DRUG_WORDS, key=len, reverse=True)
    alternation = "|".join(_alternative(n) for n in names)
    with_dose = "|".join(_alternative(n) for n in everyday)
    return rf"\b(?:(?:{alternation})(?:\s+{_DOSE})?|(?:{with_dose})\s+{_DOSE})"


def _alternative(name: str) -> str:
    """A listed name as a regex alternative; a space between its words matches any run of space."""
    return re.escape(name).replace(r"\ ", r"\s+")


def health_info_spec() -> PatternSpec:
    """The ``HEALTH_INFO`` recognizer (built once the drug list is read)."""
    return PatternSpec(
        "auditor.HEALTH_INFO",
        "HEALTH_INFO",
        (
            # ICD-10-CM, shape-checked: a letter (not U), two digits, a dot and up to four more.
            ("ICD-10-CM code", r"(?-i:\b[A-TV-Z]\d{2}\.[0-9A-Z]{1,4}\b)", 0.6),
            (
                "labelled ICD-10 code",
                r"(?<=\bICD-?10(?:-CM)?\s*(?:code)?\s*[:#]?\s*)(?-i:[A-TV-Z]\d{2}(?:\.[0-9A-Z]{1,4})?)\b",
                0.8,
            ),
            ("labelled CPT code", r"(?<=\bCPT(?:\s*code)?\s*[:#]?\s*)\d{4}[0-9FTU]\b", 0.8),
            ("medication", _drugs_pattern(), 0.7),
            ("condition or procedure", CONDITION, 0.7),
        ),
        flags=IGNORECASE_MULTILINE,
    )
