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
    category: Category
    mask: Mask = Mask.VALUE
    person_identifier: bool = False  # becomes PHI in clinical context
    default: bool = True  # detected unless a site asks for a narrower or wider set
    # Identifies someone only beside a person: reported where the text names or numbers someone.
    needs_person: bool = False
    # Identifies someone only in a patient's record: a date of care is PHI, a close date in a
    # finance memo or a release date identifies nobody (labelled dates of birth are PERSON_DATE).
    clinical_only: bool = False


P, H, F, X = Category.PII, Category.PHI, Category.FINANCIAL, Category.EXPORT_CONTROLLED

ENTITIES: dict[str, EntityInfo] = {
    # Presidio's entities (the recognizers auditor keeps)
    "PERSON": EntityInfo(P, person_identifier=True),
    "EMAIL_ADDRESS": EntityInfo(P, person_identifier=True),
    "PHONE_NUMBER": EntityInfo(P, person_identifier=True),
    "US_SSN": EntityInfo(P, person_identifier=True),
    "US_ITIN": EntityInfo(P, person_identifier=True),
    "US_PASSPORT": EntityInfo(P, person_identifier=True),
    "US_DRIVER_LICENSE": EntityInfo(P, person_identifier=True),
    "LOCATION": EntityInfo(P, person_identifier=True),
    "IP_ADDRESS": EntityInfo(P, person_identifier=True),
    "MAC_ADDRESS": EntityInfo(P, person_identifier=True),
    "CREDIT_CARD": EntityInfo(P, person_identifier=True),
    "UK_NHS": EntityInfo(H),
    "MEDICAL_LICENSE": EntityInfo(H),
    "US_MBI": EntityInfo(H),
    "US_HEALTH_INSURANCE_MEMBER_ID": EntityInfo(H),
    "US_BANK_NUMBER": EntityInfo(F, person_identifier=True),
    "ABA_ROUTING_NUMBER": EntityInfo(F),
    "IBAN_CODE": EntityInfo(F, person_identifier=True),
    "CRYPTO": EntityInfo(F),
    # Presidio's entities that are not identifiers in themselves: off unless a site asks.
    "DATE_TIME": EntityInfo(P, default=False),
    "ORGANIZATION": EntityInfo(P, default=False),
    "NRP": EntityInfo(P, default=False),
    "URL": EntityInfo(P, default=False),
    "UUID": EntityInfo(P, default=False),
    "AGE": EntityInfo(P, person_identifier=True),  # over 89 only: auditor.AGE_OVER_89
    # auditor's recognizers: HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)(i))
    "MEDICAL_RECORD_NUMBER": EntityInfo(H),
    "HEALTH_PLAN_ID": EntityInfo(H),
    "US_NPI": EntityInfo(H),
    "DEA_NUMBER": EntityInfo(H),
    "PERSON_DATE": EntityInfo(P, person_identifier=True),
    "DATE": EntityInfo(P, person_identifier=True, clinical_only=True),  # any but a bare year: (b)(2)(i)(C)
    # A state or a country: not a Safe Harbor identifier, but personal data beside a name.
    "REGION": EntityInfo(P, needs_person=True),
    "UNIQUE_ID": EntityInfo(P, person_identifier=True),  # "any other unique identifying number" (R)
    "ZIP_CODE": EntityInfo(P, person_identifier=True),
    "DEVICE_ID": EntityInfo(H),
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


def entity_info(entity: str) -> EntityInfo:
    """What auditor knows of an entity; an entity from a newer Presidio is PII until mapped."""
    return ENTITIES.get(entity, EntityInfo(Category.PII))


def category_of(entity: str, clinical: bool) -> Category:
    """The category of an entity found in clinical or other text."""
    info = entity_info(entity)
    if clinical and info.person_identifier:
        return Category.PHI
    return info.category
