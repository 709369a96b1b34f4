"""Is a text clinical? Decides whether identifiers of a person in it are PHI.

HIPAA protects identifiers together with health information about the individual
(45 CFR 160.103). A unit is clinical when it holds health-care vocabulary, ICD-10 codes or a
health-only identifier (MRN, health plan ID, NPI...).
"""

from __future__ import annotations

import re

from auditor.detectors.catalog import HEALTH_ONLY_ENTITIES

_CLINICAL_TERMS = re.compile(
    r"\b(?:patients?|pt\.|appointments?|post-?op(?:erative)?|(?:medical|health)\s+cent(?:er|re)"
    r"|diagnos(?:is|ed|es)|admitted|admission|discharg(?:e|ed)|clinic(?:al)?"
    r"|hospital|physician|nurse|attending|chart|MRN|medical\s+record|prescri(?:bed|ption)"
    r"|medication|allerg(?:y|ies)|symptoms?|history\s+of\s+present\s+illness|HPI|vitals?"
    r"|mmHg|mg/dL|\d+\s?mg\b|assessment\s+and\s+plan|lab\s+results?|HbA1c|blood\s+pressure"
    r"|oncology|cardiology|radiology|biopsy|surgery|procedure|insurance\s+member|medicaid"
    r"|medicare|therapy|treatment|follow-up\s+visit|care\s+team|ICD-10|CPT|hospital\s+course"
    r"|presented\s+with|chief\s+complaint|dyspnea|fever|nausea|edema|cellulitis|pneumonia|sepsis"
    r"|diabetes|hypertension|prognosis|physical\s+exam|emergency\s+department|inpatient|outpatient"
    # the shorthand of nursing and therapy notes
    r"|pt|pts|labs|therapeutic|mobility|ambulat(?:e|ed|ing|ion)|afebrile|s/p|h/o|c/o|prn|npo|vss|cxr|ekg|abg|o2\s+sats?"
    # and of respiratory therapists' notes
    r"|lung\s+sounds|mech(?:anical)?\s+vent|trach(?:ed|eostomy)?|sputum|secretions|suction(?:ed)?|peep|fio2"
    # and the ICU's: its lines, tubes, settings, products and headings ("NEURO:", "RESP CARE")
    r"|(?:ex|re)?intubated|extubation|vent\s+settings|psv|simv|bipap|cpap|spo2|sats|satting|sbp|cvp|hemodynamic(?:s|ally)?"
    r"|cabg|avr|mvr|ffp|prbcs?|plts|inr|ptt|hct|wbc|lytes|gtt|ett|ngt|ogt|picc|foley|a-line|art\s+line|central\s+line"
    r"|u/o|cc/hr|mcg|ivf|tube\s+feeds?|tf'?s|bradycardi[ac]|tachycardi[ac]|apnea|effusion|diuresis|pacemaker|aicd"
    r"|sedat(?:ed|ion)|blood\s+cultures?|cocci|bacilli|gram\s+(?:positive|negative|stain)|npn|micu|sicu|ccu|icu|resp(?:iratory)?\s+care|(?:neuro|resp|cv|gi|gu)(?=\s*:))\b",
    re.IGNORECASE,
)
_ICD10_CODE = re.compile(
    r"\b[A-TV-Z]\d{2}\.\d{1,4}[A-Z]?\b|\b[A-TV-Z]\d{2}\b(?=[^\n]{0,40}(?:diabet|hypert|asthma|disease|disorder|syndrome|fracture|pain|failure|infection|cancer|neoplasm))"
)


# Named conditions and procedures (by name or by their Greek and Latin endings, less the
# everyday words that share them: academia, dichotomy): health information where they are
# reported (``HEALTH_INFO``, detectors/health_info.py) and a clinical signal where they are not.
CONDITION = (
    r"(?!(?:academia|dichotomy)\b)"
    r"\b(?:\w{3,}(?:ectomy|otomy|ostomy|plasty|scopy|itis|emia|aemia|plegia)"
    r"|\w{2,}(?:carcinoma|melanoma|lymphoma|myeloma|sarcoma|glioma|blastoma)"
    r"|(?:neuro|cardiomyo|retino|nephro|encephalo)pathy|fibromyalgia|neuralgia|hematuria|proteinuria"
    r"|(?:tuberculosis|cirrhosis|fibrosis|stenosis|sclerosis|thrombosis|osteoporosis|scoliosis|psoriasis|sepsis)"
    r"|asthma|cancer|tumou?r|stroke|seizures?|epilepsy|dementia|alzheimer'?s|parkinson'?s|depression"
    r"|schizophrenia|bipolar\s+disorder|hepatitis\s+[A-E]|HIV|(?-i:AIDS)|diabetes(?:\s+mellitus)?|hypertension"
    r"|pneumonia|cellulitis|COPD|CHF|CKD|ESRD|GERD|PTSD|ADHD|T2DM|heart\s+failure"
    r"|myocardial\s+infarction|chemotherapy|dialysis|pregnan(?:t|cy)"
    # and what a clinician's question names: "MRSA infections", "knee replacement", "kidney
    # transplant", "vaccination schedule" (the plainer words are signals only: _PLAIN_HEALTH_WORDS)
    r"|(?:atrial\s+)?fibrillation|arrhythmias?|MRSA|(?:wound|urinary|bacterial|viral|fungal)\s+infections?"
    r"|(?:kidney|renal|liver|heart|lung|pancreas|cornea|bone\s+marrow|stem\s+cell|organ)\s+transplant(?:s|ation)?"
    r"|(?:knee|hip|shoulder|joint|valve)\s+replacements?|chronic\s+pain"
    r"|vaccin(?:e|es|ation|ations|ated|ating)|immuni[sz]ations?|anticoagula(?:nt|nts|tion))\b"
)
_CONDITION = re.compile(CONDITION, re.IGNORECASE)
# Words of health that are a clinical signal but too plain to report as health information: a
# "malware infection" or "imposter syndrome" beside a name is no PHI, while "Lyme disease in a
# 50-year-old" is a clinical question. Not "civil disorder".
_PLAIN_HEALTH_WORDS = re.compile(
    r"\b(?:diseases?|(?<!civil\s)(?<!public\s)(?<!social\s)(?<!political\s)disorders?|syndromes?|infections?"
    r"|injur(?:y|ies))\b",
    re.IGNORECASE,
)

# Health information that is no identifier but makes the identifiers beside it PHI: conditions
# and procedures (by name or by their Greek and Latin endings), an age with a sex ("a
# 58-year-old female", "78 yo M"), doses, and the medications in drugs.txt.
_HEALTH_INFO = re.compile(
    r"\b(?i:(?!(?:sympathy|empathy|apathy|telepathy|nostalgia|diploma|aroma|academia|dichotomy|hypnosis"
    r"|osmosis|symbiosis)\b)\w+(?:ectomy|otomy|ostomy|itis|osis|emia|aemia|oma|pathy|plasty|scopy|algia|plegia|uria)"
    r"|asthma|cancer|tumou?r|stroke|seizures?|epilepsy|dementia|alzheimer'?s|parkinson'?s|depression"
    r"|schizophrenia|bipolar|hepatitis|cirrhosis|infection|fracture|migraine|obesity|pregnan(?:t|cy)"
    r"|chemotherapy|dialysis|intubat(?:ed|ion)|ventilator|(?:treated|seen)\s+(?:at|by|for)|doctor|surgeon"
    r"|check-?up|\d{1,3}[- ](?:year|yr)s?[- ]old|\d{1,3}\s?(?:yo|y/o|y\.o\.)"
    r"|\d+(?:\.\d+)?\s?(?:mg|mcg|ml))\b"
    # Abbreviations of conditions only in capitals: "MS" is multiple sclerosis, "ms" milliseconds.
    r"|\b(?:GERD|COPD|CHF|CKD|ESRD|AFib|DVT|CAD|HTN|T2DM|UTI|BPH|PTSD|ADHD|HIV|AIDS|ICU)\b"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{3,}")


def clinical_signals(text: str) -> int:
    """How many distinct clinical terms, health information and ICD-10 codes the text holds
    (capped at 3)."""
    from auditor.detectors.filters import drug_names

    terms = {_term(m.group()) for m in _CLINICAL_TERMS.finditer(text)}
    for vocabulary in (_HEALTH_INFO, _CONDITION, _PLAIN_HEALTH_WORDS):
        if len(terms) < 3:
            terms.update(_term(m.group()) for m in vocabulary.finditer(text))
    if len(terms) < 3:
        drugs = drug_names()
        terms.update(w for w in (m.group().lower() for m in _WORD.finditer(text)) if w in drugs)
    if _ICD10_CODE.search(text):
        terms.add("<icd10>")
    return min(len(terms), 3)


def _term(found: str) -> str:
    """A term as one signal whatever its number and spacing: "appointments" and "appointment",
    "Infection" and "infections" count once."""
    term = " ".join(found.lower().split())
    return term[:-1] if term.endswith("s") and not term.endswith(("ss", "is", "us")) and len(term) > 4 else term


def is_clinical(text: str, entities: set[str]) -> bool:
    """Two clinical signals, or one health-only identifier, make a text clinical."""
    return bool(entities & HEALTH_ONLY_ENTITIES) or clinical_signals(text) >= 2
