"""One table of entities (auditor/detectors/catalog.py): the sets the detectors use are its
flags, and the flags agree with the categories."""

from auditor.detectors.catalog import (
    ENTITIES,
    GENERIC_ENTITIES,
    HEALTH_ONLY_ENTITIES,
    LOOSE_NUMBER_ENTITIES,
    NER_ENTITIES,
)
from auditor.model import Category


def test_a_health_only_identifier_is_phi_by_itself():
    assert HEALTH_ONLY_ENTITIES
    assert all(ENTITIES[e].category is Category.PHI for e in HEALTH_ONLY_ENTITIES)


def test_ner_guesses_and_loose_numbers_lose_overlaps_to_specific_detectors():
    assert NER_ENTITIES == {"PERSON", "ORGANIZATION", "LOCATION", "NRP", "DATE_TIME"}
    assert NER_ENTITIES | LOOSE_NUMBER_ENTITIES <= GENERIC_ENTITIES


def test_a_uk_nhs_number_is_phi_but_does_not_make_a_text_clinical():
    # Presidio's UK_NHS recognizer is a 10-digit checksum one random number in eleven passes.
    assert ENTITIES["UK_NHS"].category is Category.PHI
    assert "UK_NHS" not in HEALTH_ONLY_ENTITIES
    assert "UK_NHS" in LOOSE_NUMBER_ENTITIES
