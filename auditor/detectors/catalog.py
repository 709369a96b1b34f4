"""Every entity type auditor reports: its category, how its value is masked, its detector id.

Presidio entities and auditor's own are listed together so each maps to exactly one base
category. Identifiers of a person become PHI where the text around them is clinical
(45 CFR 160.103, "individually identifiable health information").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from auditor.model import Category


class Mask(StrEnum):
    """How a value shows in an excerpt."""

    VALUE = "value"  # an identifier: masked, shape kept
    DIGITS = "digits"  # a phrase: words kept, figures masked
    NONE = "none"  # a marking or classification: not sensitive itself, shown as is


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """What auditor knows of one entity type. The sets other modules use (``HEALTH_ONLY_ENTITIES``,
    ``GENERIC_ENTITIES``, ``NER_ENTITIES``, ``LOOSE_NUMBER_ENTITIES``) are derived from these
    flags, so one line here says everything about an entity."""

    category: Category
    mask: Mask = Mask.VALUE
    person_identifier: bool = False  # becomes PHI in clinical context
    default: bool = True  # detected unless a site asks for a narrower or wider set
    # Identifies someone only beside a person: reported where the text names or numbers someone.
    needs_person: bool = False
    # Identifies someone only in a patient's record: a date of care is PHI, a close date in a
    # finance memo or a release date identifies nobody (labelled dates of birth are PERSON_DATE).
    clinical_only: bool = False
    # Left in a de-identified record by Safe Harbor (a state, 164.514(b)(2)(i)(B)): not reported
    # in clinical text, personal data elsewhere.
    safe_harbor_keeps: bool = False
    # Found only in health records (an MRN, an NPI): one makes the whole text clinical.
    health_only: bool = False
    # Guessed by spaCy's named-entity recognizer, not matched by a pattern.
    from_ner: bool = False
    # A bare number of a common shape (Presidio's weak patterns): an order or invoice number
    # after its label is none of these.
    loose_number: bool = False
    # Loses an overlap to a more specific detector at equal confidence: NER guesses, loose
    # numbers, and Presidio's medical licence pattern (a DEA-like shape).
    generic: bool = False


P, H, F, X = Category.PII, Category.PHI, Category.FINANCIAL, Category.EXPORT_CONTROLLED

ENTITIES: dict[str, EntityInfo] = {
    # Presidio's entities (the recognizers auditor keeps)
    "PERSON": EntityInfo(P, person_identifier=True, from_ner=True, generic=True),
    "EMAIL_ADDRESS": EntityInfo(P, person_identifier=True),
    "PHONE_NUMBER": EntityInfo(P, person_identifier=True, loose_number=True, generic=True),
    "US_SSN": EntityInfo(P, person_identifier=True),
    "US_ITIN": EntityInfo(P, person_identifier=True),
    "US_PASSPORT": EntityInfo(P, person_identifier=True, loose_number=True, generic=True),
    "US_DRIVER_LICENSE": EntityInfo(P, person_identifier=True, loose_number=True, generic=True),
    "LOCATION": EntityInfo(P, person_identifier=True, from_ner=True, generic=True),
    "IP_ADDRESS": EntityInfo(P, person_identifier=True),
    "MAC_ADDRESS": EntityInfo(P, person_identifier=True),
    "CREDIT_CARD": EntityInfo(P, person_identifier=True),
    # PHI by itself, but not health-only: Presidio's recognizer is a 10-digit mod-11 checksum
    # that one random number in eleven passes, too weak to make a whole text clinical.
    "UK_NHS": EntityInfo(H, loose_number=True, generic=True),
    "MEDICAL_LICENSE": EntityInfo(H, health_only=True, generic=True),
    "US_MBI": EntityInfo(H, health_only=True),
    "US_HEALTH_INSURANCE_MEMBER_ID": EntityInfo(H, health_only=True),
    "US_BANK_NUMBER": EntityInfo(F, person_identifier=True, loose_number=True, generic=True),
    "ABA_ROUTING_NUMBER": EntityInfo(F),
    "IBAN_CODE": EntityInfo(F, person_identifier=True),
    "CRYPTO": EntityInfo(F),
    # Presidio's entities that are not identifiers in themselves: off unless a site asks.
    "DATE_TIME": EntityInfo(P, default=False, from_ner=True, generic=True),
    "ORGANIZATION": EntityInfo(P, default=False, from_ner=True, generic=True),
    "NRP": EntityInfo(P, default=False, from_ner=True, generic=True),
    "URL": EntityInfo(P, default=False),
    "UUID": EntityInfo(P, default=False),
    "AGE": EntityInfo(P, person_identifier=True),  # over 89 only: auditor.AGE_OVER_89
    # auditor's recognizers: HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)(i))
    "MEDICAL_RECORD_NUMBER": EntityInfo(H, health_only=True),
    "HEALTH_PLAN_ID": EntityInfo(H, health_only=True),
    "US_NPI": EntityInfo(H, health_only=True),
    "DEA_NUMBER": EntityInfo(H, health_only=True),
    "PERSON_DATE": EntityInfo(P, person_identifier=True),
    "DATE": EntityInfo(P, person_identifier=True, clinical_only=True),  # any but a bare year: (b)(2)(i)(C)
    # A state or a country: not a Safe Harbor identifier, but personal data beside a name or in
    # what someone writes of themselves ("I live in India").
    "REGION": EntityInfo(P, needs_person=True, safe_harbor_keeps=True),
    "UNIQUE_ID": EntityInfo(P, person_identifier=True),  # "any other unique identifying number" (R)
    "ZIP_CODE": EntityInfo(P, person_identifier=True),
    "DEVICE_ID": EntityInfo(H, health_only=True),
    "ACCOUNT_NUMBER": EntityInfo(F, person_identifier=True),
    # Health information: no identifier, but what makes the identifiers beside it PHI; reported
    # only where the text names or numbers someone (detectors/health_info.py).
    "HEALTH_INFO": EntityInfo(H, needs_person=True),
    # Financial reporting (SOX) and material non-public information
    "MNPI_MARKING": EntityInfo(F, mask=Mask.NONE),
    "UNRELEASED_EARNINGS": EntityInfo(F, mask=Mask.DIGITS),
    "JOURNAL_ENTRY": EntityInfo(F),
    "GL_ACCOUNT": EntityInfo(F),
    # Export control (ITAR 22 CFR 120-130, EAR 15 CFR 730-774)
    "ITAR_MARKING": EntityInfo(X, mask=Mask.NONE),
    "EAR_MARKING": EntityInfo(X, mask=Mask.NONE),
    "USML_CATEGORY": EntityInfo(X, mask=Mask.NONE),
    "ECCN": EntityInfo(X, mask=Mask.NONE),
    "DISTRIBUTION_STATEMENT": EntityInfo(X, mask=Mask.NONE),
    "CUI_EXPORT": EntityInfo(X, mask=Mask.NONE),
    "NOFORN": EntityInfo(X, mask=Mask.NONE),
}

DEFAULT_ENTITIES: tuple[str, ...] = tuple(name for name, info in ENTITIES.items() if info.default)
HEALTH_ONLY_ENTITIES = frozenset(name for name, info in ENTITIES.items() if info.health_only)
NER_ENTITIES = frozenset(name for name, info in ENTITIES.items() if info.from_ner)
LOOSE_NUMBER_ENTITIES = frozenset(name for name, info in ENTITIES.items() if info.loose_number)
GENERIC_ENTITIES = frozenset(name for name, info in ENTITIES.items() if info.generic)


def entity_info(entity: str) -> EntityInfo:
    """What auditor knows of an entity; an entity from a newer Presidio is PII until mapped."""
    return ENTITIES.get(entity, EntityInfo(Category.PII))


def category_of(entity: str, clinical: bool) -> Category:
    """The category of an entity found in clinical or other text."""
    info = entity_info(entity)
    if clinical and info.person_identifier:
        return Category.PHI
    return info.category
