"""Each recognizer finds what it is for, and vanilla Presidio's known false positives are gone."""

from __future__ import annotations

import pytest

from auditor.detectors.checks import dea_is_valid, npi_is_valid

HOME_ADDRESS = "Home address: 77 Cinder Mill Court, Apt 3B, Kettering, OH 45429"
TRUE_POSITIVES = [
    # (text, entity, value, category)
    ("Patient seen today. MRN: 00482913. Follow-up in 2 weeks.", "MEDICAL_RECORD_NUMBER", "00482913", "PHI"),
    ("Medical Record Number MR-0048291 was merged.", "MEDICAL_RECORD_NUMBER", "MR-0048291", "PHI"),
    ("Insurance on file, Member ID: XKJ884201937.", "HEALTH_PLAN_ID", "XKJ884201937", "PHI"),
    ("Attending physician NPI 1245319599 signed the order.", "US_NPI", "1245319599", "PHI"),
    ("Prescriber Dr. Ortiz, DEA # BO3814729, refilled.", "DEA_NUMBER", "BO3814729", "PHI"),
    ("Patient DOB: 04/17/1958, seen in clinic.", "PERSON_DATE", "04/17/1958", "PHI"),
    ("The patient was admitted to the ward on March 3, 2026 with chest pain.", "PERSON_DATE", "March 3, 2026", "PHI"),
    ("Discharge date: 2026-03-09. Diagnosis I10 hypertension.", "PERSON_DATE", "2026-03-09", "PHI"),
    ("Send the card to 418 Birchwood Lane, Dayton, OH 45402.", "ZIP_CODE", "45402", "PII"),
    ("Pacemaker serial number PM-7731-88421 implanted; patient stable.", "DEVICE_ID", "PM-7731-88421", "PHI"),
    ("Refund to account number 4401-2288-1903 was approved.", "ACCOUNT_NUMBER", "4401-2288-1903", "FINANCIAL"),
    (
        "MATERIAL NON-PUBLIC INFORMATION - do not forward.",
        "MNPI_MARKING",
        "MATERIAL NON-PUBLIC INFORMATION",
        "FINANCIAL",
    ),
    (
        "Our preliminary Q3 FY2026 revenue of $412.6 million beat plan.",
        "UNRELEASED_EARNINGS",
        "preliminary Q3 FY2026 revenue of $412.6 million",
        "FINANCIAL",
    ),
    ("Reverse JE-2026-00417 before close.", "JOURNAL_ENTRY", "JE-2026-00417", "FINANCIAL"),
    ("Post the accrual to GL account 4010-200 this month.", "GL_ACCOUNT", "4010-200", "FINANCIAL"),
    ("This document is ITAR-controlled.", "ITAR_MARKING", "ITAR-controlled", "EXPORT_CONTROLLED"),
    ("ITAR TECHNICAL DATA - see drawing 4471-B.", "ITAR_MARKING", "ITAR", "EXPORT_CONTROLLED"),
    ("This memo is controlled under the ITAR.", "ITAR_MARKING", "ITAR", "EXPORT_CONTROLLED"),
    (
        "Governed by the International Traffic in Arms Regulations (ITAR), 22 CFR 120-130.",
        "ITAR_MARKING",
        "International Traffic in Arms Regulations (ITAR)",
        "EXPORT_CONTROLLED",
    ),
    (
        "Technical data subject to the EAR; see 15 CFR 730-774.",
        "EAR_MARKING",
        "subject to the EAR",
        "EXPORT_CONTROLLED",
    ),
    (
        "Blade cooling geometry falls under USML Category XIX(f).",
        "USML_CATEGORY",
        "USML Category XIX(f)",
        "EXPORT_CONTROLLED",
    ),
    ("Related hardware is classified under ECCN 9E610.a.", "ECCN", "9E610.a", "EXPORT_CONTROLLED"),
    ("The laptop is EAR99 and ships anywhere.", "ECCN", "EAR99", "EXPORT_CONTROLLED"),
    (
        "DISTRIBUTION STATEMENT D. Distribution authorized to DoD only.",
        "DISTRIBUTION_STATEMENT",
        "DISTRIBUTION STATEMENT D",
        "EXPORT_CONTROLLED",
    ),
    ("Banner: CUI//SP-EXPT", "CUI_EXPORT", "CUI//SP-EXPT", "EXPORT_CONTROLLED"),
    ("SECRET//NOFORN annex removed.", "NOFORN", "NOFORN", "EXPORT_CONTROLLED"),
    # names behind labels and titles, which the small spaCy model misses
    ("Hospital course: Mr. Brennecke presented with dyspnea.", "PERSON", "Brennecke", "PHI"),
    ("Attending: Priya Ramaswamy-Hale, MD", "PERSON", "Priya Ramaswamy-Hale", "PII"),
    ("**From:** Renata Stahlberg, VP Finance", "PERSON", "Renata Stahlberg", "PII"),
    # street addresses and cities (geography smaller than a state)
    (HOME_ADDRESS, "LOCATION", "77 Cinder Mill Court, Apt 3B", "PII"),
    (HOME_ADDRESS, "LOCATION", "Kettering", "PII"),
    # Presidio's US recognizers that ship disabled and auditor turns on
    ("Medicare MBI 1EG4-TE5-MK73 on the claim.", "US_MBI", "1EG4-TE5-MK73", "PHI"),
    ("Wire to routing number 091204789 today.", "ABA_ROUTING_NUMBER", "091204789", "FINANCIAL"),
]


@pytest.mark.parametrize(
    ("text", "entity", "value", "category"),
    TRUE_POSITIVES,
    ids=[t[1] + "-" + str(i) for i, t in enumerate(TRUE_POSITIVES)],
)
def test_recognizer_finds_its_entity(found, text, entity, value, category):
    assert (entity, value, category) in found(text)


def test_labelled_name_pattern_stops_at_organisations(found):
    assert not [r for r in found("Memo to: Executive Committee") if r[0] == "PERSON"]


def test_person_identifiers_in_clinical_text_are_phi(found):
    text = "Patient Maria Okafor, phone (937) 555-0148, was admitted; diagnosis E11.9 type 2 diabetes."
    results = found(text)
    assert ("PERSON", "Maria Okafor", "PHI") in results
    assert ("PHONE_NUMBER", "(937) 555-0148", "PHI") in results


def test_person_identifiers_in_business_text_are_pii(found):
    text = "Please call Maria Okafor at (937) 555-0148 about the vendor invoice."
    results = found(text)
    assert ("PERSON", "Maria Okafor", "PII") in results
    assert ("PHONE_NUMBER", "(937) 555-0148", "PII") in results


def test_distribution_statement_a_is_public_release_not_a_marking(found):
    assert not [
        r for r in found("DISTRIBUTION STATEMENT A. Approved for public release.") if r[0] == "DISTRIBUTION_STATEMENT"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "auditor ships the HIPAA, SOX and ITAR packs.",
        "Our ITAR compliance training is due on Friday.",
        "ITAR and the EAR are administered by different agencies.",
    ],
)
def test_naming_the_itar_is_not_a_marking(found, text):
    assert not [r for r in found(text) if r[0] == "ITAR_MARKING"]


def test_case_tells_a_name_from_an_uncased_ner_guess():
    from auditor.detectors.filters import is_cased_name

    for name in ("Maria", "José Núñez-Ortega", "O'Brien", "McDonald", "Anna S."):
        assert is_cased_name(name), name
    for word in ("MARIA", "FOLEY DRAINING", "abd obese", "maria"):
        assert not is_cased_name(word), word


def test_name_beside_an_institution_is_still_found(found):
    assert ("PERSON", "Maria Okafor", "PII") in found("The Audit Committee thanked Maria Okafor for the memo.")


def test_phone_numbers_of_other_regions_are_found(found):
    assert ("PHONE_NUMBER", "+44 20 7946 0958", "PII") in found("Call the London office on +44 20 7946 0958.")


def test_checksums_reject_near_misses():
    assert npi_is_valid("1245319599")
    assert not npi_is_valid("1245319598")
    assert dea_is_valid("BO3814729")
    assert not dea_is_valid("BO3814728")


def test_npi_without_valid_check_digit_is_not_reported(found):
    assert not [r for r in found("Attending NPI 1245319598 signed.") if r[0] == "US_NPI"]


# Known false positives of vanilla Presidio on clinical text. Each test first shows vanilla
# Presidio making the mistake (so the test would notice if our filter stopped mattering), then
# shows auditor not making it.
FALSE_POSITIVES = [
    ("blood pressure as phone", "Vitals: BP 164/90, HR 88, afebrile.", "164/90", "PHONE_NUMBER"),
    ("ICD-10 code as driver's licence", "Assessment: E11 diabetes and I10 hypertension.", "I10", "US_DRIVER_LICENSE"),
    # 1245319698 passes both the NPI Luhn check and the NHS mod-11 check.
    ("NPI as NHS number", "Referring provider NPI 1245319698.", "1245319698", "UK_NHS"),
    ("drug name as person", "Lisinopril 10 mg daily was continued. Eliquis was held.", "Lisinopril", "PERSON"),
    ("SSN label as organisation", "SSN 914-22-7351 on file.", "SSN", "ORGANIZATION"),
    ("DOB label as organisation", "DOB 03/14/1962 confirmed.", "DOB", "ORGANIZATION"),
    ("date as person", "Admit 02/01/2024, d/c 02/05/2024.", "02/01/2024", "PERSON"),
]


@pytest.mark.parametrize(("name", "text", "value", "entity"), FALSE_POSITIVES, ids=[f[0] for f in FALSE_POSITIVES])
def test_vanilla_false_positive_is_removed(vanilla, detector, name, text, value, entity):
    vanilla_hits = {(s.entity, text[s.start : s.end]) for s in vanilla.detect(text)}
    assert any(e == entity and (value in v or v in value) for e, v in vanilla_hits), vanilla_hits
    all_entities = type(detector)(detector.model_name, entities=tuple({entity, "PERSON", "PHONE_NUMBER"}), floor=0.0)
    ours = {(s.entity, text[s.start : s.end]) for s in all_entities.detect(text)}
    assert not any(e == entity and (value in v or v in value) for e, v in ours), ours
