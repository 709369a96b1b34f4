"""False-positive filters: small functions that drop what vanilla Presidio gets wrong.

Each filter takes the entity type and matched text and says whether to drop the span. They
run after Presidio, so the recognizers stay Presidio's own and these stay easy to test.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from functools import cache
from importlib import resources

from auditor.detectors.catalog import LOOSE_NUMBER_ENTITIES, NER_ENTITIES
from auditor.detectors.checks import looks_like_icd10, npi_is_valid
from auditor.detectors.lexicons import NOT_NAMES, can_be_name, first_names, person_names, place_names, zipf

_MEASUREMENT = re.compile(r"^\d{2,3}\s*/\s*\d{2,3}$")  # blood pressure 164/90, ratios
_PERIOD = re.compile(r"^(?:FY|CY|Q[1-4]|H[12])[-\s]?\d{2,4}$", re.IGNORECASE)  # FY2021, Q3-2026
_PERIOD_WORD = re.compile(r"^(?:Q[1-4]|H[12]|FY|CY)$", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(?:19|20)\d{2}[-/.](?:0[1-9]|1[0-2])[-/.](?:0[1-9]|[12]\d|3[01])\b")
_ROUTES = frozenset({"iv", "po", "im", "sc", "sq", "sl", "pr", "prn", "er", "xr", "sr", "dr", "xl"})
_NER_ENTITIES = NER_ENTITIES
_DATE_OR_NUMBER = re.compile(r"^[\d\s/.\-:,()#]+$")
_LABEL_WORDS = frozenset(
    "dob mrn ssn npi dea bp hr rr spo2 ecg ekg icu er ed hpi ros pmh cc a/p rx dx hx tx "
    "phone email fax tel pt mr mrs ms dr md do rn np pa cbc bmp cmp mg ml iv po prn bid tid "
    "qid qd hba1c ldl hdl gfr egfr bmi temp wt ht sat sats neuro resp gi gu cv abd ext skin dispo".split()
)
_DRUG_SUFFIXES = (
    "pril",
    "olol",
    "sartan",
    "statin",
    "dipine",
    "formin",
    "gliptin",
    "gliflozin",
    "prazole",
    "tidine",
    "oxacin",
    "cillin",
    "mycin",
    "cycline",
    "azole",
    "vir",
    "mab",
    "nib",
    "parin",
    "semide",
    "thiazide",
    "zepam",
    "zolam",
    "triptan",
    "setron",
    "afil",
    "lukast",
    "profen",
    "terol",
    "sone",
    "olone",
    "barbital",
    "caine",
    "dronate",
    "glutide",
    "xaban",
)


@cache
def drug_names() -> frozenset[str]:
    """Generic and brand drug names shipped with auditor, lower case."""
    text = resources.files("auditor").joinpath("data/drugs.txt").read_text(encoding="utf-8")
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def is_drug_name(text: str) -> bool:
    """True when every word of ``text`` is a known drug name or has a drug-class suffix."""
    words = re.findall(r"[A-Za-z][A-Za-z\-]*", text)
    names = drug_names()
    words = [w for w in words if w.lower() not in _ROUTES]  # "IV cefazolin", "Metformin ER"
    return bool(words) and all(w.lower() in names or w.lower().endswith(_DRUG_SUFFIXES) for w in words)


def phone_is_measurement(entity: str, text: str) -> bool:
    """Blood pressure ``164/90`` and other short ratios are not phone numbers."""
    if entity != "PHONE_NUMBER":
        return False
    value = text.strip()
    if "/" in value and not re.match(r"^\(?\d{3}\)?\s*/", value):  # 99213 / 99214: codes, not an area code
        return True
    if _ISO_DATE.search(value):  # a release date, not a number to call
        return True
    if re.search(r"(?:^|[/-])[67]\.\d{1,2}(?:[/-]|$)", value):  # a blood gas: 174/26/7.42/17 (pH 7.42)
        return True
    return bool(_MEASUREMENT.match(value)) or sum(c.isdigit() for c in value) < 7


def license_is_icd10(entity: str, text: str) -> bool:
    """ICD-10 codes (E11.9, I10), versions (v4), grid refs (L5) and fiscal periods (FY2021) are not
    driver's licences."""
    if entity != "US_DRIVER_LICENSE":
        return False
    value = text.strip()
    return looks_like_icd10(value) or sum(c.isalnum() for c in value) < 6 or bool(_PERIOD.match(value))


def nhs_is_npi(entity: str, text: str) -> bool:
    """A US NPI also passes the NHS mod-11 check now and then; it is an NPI."""
    return entity == "UK_NHS" and npi_is_valid(text)


def ner_is_drug(entity: str, text: str) -> bool:
    """spaCy tags capitalised drug names (Lisinopril, Eliquis) as people or organisations."""
    return entity in ("PERSON", "ORGANIZATION", "LOCATION", "NRP") and is_drug_name(text)


def ner_is_period(entity: str, text: str) -> bool:
    """Fiscal periods (Q4 FY2026, FY2025, H1) are not places or organisations."""
    words = text.split()
    return entity in _NER_ENTITIES and bool(words) and all(_PERIOD.match(w) or _PERIOD_WORD.match(w) for w in words)


# spaCy takes document references (PO 4518933922, Rev B) and payer programmes (Medicare
# Advantage) for places, organisations and people.
_REFERENCE_NER = re.compile(
    r"^(?i:PO|P\.O\.|INV|SKU|Rev\.?|Revision|Build|Ticket|Part)\s+(?:[\w-]*\d[\w-]*|[A-Z]{1,2})$"
)
_NOT_NAME_WORDS = frozenset("medicare medicaid tricare advantage medigap cobra".split())


def ner_is_reference(entity: str, text: str) -> bool:
    """ "PO 4518933922", "Rev B", "Medicare Advantage": a reference or a programme, not a name."""
    if entity not in _NER_ENTITIES:
        return False
    value = text.strip()
    return bool(_REFERENCE_NER.match(value)) or any(w.lower() in _NOT_NAME_WORDS for w in value.split())


def ip_is_not_a_host(entity: str, text: str) -> bool:
    """Loopback, unspecified, multicast and link-local addresses (127.0.0.1, 0.0.0.0) name no one."""
    if entity != "IP_ADDRESS":
        return False
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified or address.is_multicast or address.is_link_local


def ner_is_number(entity: str, text: str) -> bool:
    """spaCy tags dates and IDs as people, organisations or dates: names have no digits."""
    if entity == "PERSON" and any(ch.isdigit() for ch in text):
        return True
    return entity in _NER_ENTITIES and bool(_DATE_OR_NUMBER.match(text.strip()))


def ner_is_label(entity: str, text: str) -> bool:
    """Field labels and clinical abbreviations (DOB, MRN, BP) are not names."""
    return entity in _NER_ENTITIES and text.strip().strip(":").lower() in _LABEL_WORDS


def ner_is_abbreviation(entity: str, text: str) -> bool:
    """Short abbreviations (EF, ST, AF, LCSW, DTaP, dL, Q4) are not names or places."""
    word = text.strip()
    if entity not in _NER_ENTITIES or " " in word or len(word) > 5:
        return False
    if entity == "PERSON" and word.isalpha() and can_be_name(word, cased_ok=False):
        return False  # "CAROL", "JON": a name in an upper-case note (adjusted_score judges NER's)
    if entity == "LOCATION" and word.islower() and len(word) >= 4 and word in regions():
        return False  # "i live in india": a country in lower case (adjusted_score judges it)
    return sum(c.isupper() for c in word) >= 2 or not word[:1].isupper() or any(c.isdigit() for c in word)


@cache
def regions() -> frozenset[str]:
    """US states and countries, lower case: geography at or above state level."""
    text = resources.files("auditor").joinpath("data/regions.txt").read_text(encoding="utf-8")
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def is_state_or_country(entity: str, text: str) -> bool:
    """A state or a country: geography Safe Harbor leaves in (164.514(b)(2)(i)(B)), reported as
    ``REGION``, which identifies someone only beside a person's name."""
    return entity == "LOCATION" and text.strip().strip(".").lower() in regions()


_STRUCTURE_WORDS = frozenset(
    "appendix annex exhibit schedule section chapter part table figure statement paragraph clause article".split()
)


def ner_is_document_structure(entity: str, text: str) -> bool:
    """ "Appendix B", "Distribution Statement A": references to a document's parts, not names."""
    return entity in _NER_ENTITIES and any(w.lower().strip(".") in _STRUCTURE_WORDS for w in text.split())


FILTERS: tuple[Callable[[str, str], bool], ...] = (
    phone_is_measurement,
    license_is_icd10,
    nhs_is_npi,
    ner_is_drug,
    ner_is_number,
    ner_is_label,
    ner_is_abbreviation,
    ner_is_document_structure,
    ner_is_period,
    ner_is_reference,
    ip_is_not_a_host,
)

_NER_GUESS_FILTERS = frozenset({ner_is_abbreviation})

# A number right after one of these labels is an order, invoice or build number, whatever
# shape it has: not a phone, bank account or NHS number.
_REFERENCE_LABEL = re.compile(
    r"(?:\b(?:PO|P\.O\.|purchase\s+order|invoice|INV|order|SKU|ticket|build|batch|offset|part)"
    r"\s*(?:number|no\.?|#)?\s*[:#]?\s*|rows=)$",
    re.IGNORECASE,
)
_NUMBER_ENTITIES = LOOSE_NUMBER_ENTITIES


def number_is_reference(entity: str, text: str, before: str) -> bool:
    """An order, invoice or build number (``PO 4518933922``) is not an identifier of a person."""
    return entity in _NUMBER_ENTITIES and bool(_REFERENCE_LABEL.search(before))


def nhs_is_phone(entity: str, text: str, before: str) -> bool:
    """``+1 503 555 0184``: after a country code, a 3-3-4 number is a phone, not an NHS number."""
    return entity == "UK_NHS" and bool(re.search(r"\+\d{1,3}[ \t.-]?\(?$", before))


_VERSION_LABEL = re.compile(r"(?:version|api[-_]?version|\bv)[\"'\s]*[:=]?[\s\"']*$", re.IGNORECASE)


def date_is_version(entity: str, text: str, before: str) -> bool:
    """``api_version="2024-06-01"``: a version named by its release date identifies nobody."""
    return entity == "DATE" and bool(_VERSION_LABEL.search(before))


CONTEXT_FILTERS: tuple[Callable[[str, str, str], bool], ...] = (number_is_reference, nhs_is_phone, date_is_version)


def is_false_positive(entity: str, text: str, before: str = "", detector: str = "") -> bool:
    """True when any filter recognises the span as a known false positive.

    ``before`` is the text just before the span (a few dozen characters), for the filters
    that need its label. The filters of NER's guesses (``ner_*``) leave auditor's own
    recognizers alone: "GH" after "transferred to" is a hospital, whatever NER would make of it.
    """
    own = detector.startswith("auditor.")
    if detector == "auditor.PAGER":
        return False  # four to six digits behind a pager or extension label: its pattern is the check
    if (
        own
        and entity == "PERSON"
        and is_cased_name(text)
        and text.lower() in _LABEL_WORDS
        and text.lower() in first_names()
    ):
        return False  # a first name that is a label too, where a rule found a name: "Son, Ed, was updated"
    return any(f(entity, text) for f in FILTERS if not (own and f in _NER_GUESS_FILTERS)) or any(
        f(entity, text, before) for f in CONTEXT_FILTERS
    )


# The score an NER name or place keeps when its case says nothing: spaCy's small model tags
# words of upper-case notes ("FOLEY DRAINING", "DOPAMINE DC") and of lower-case text ("abd
# obese") as people and places far more often than names. Such a span is reported only when a
# context rule (a title, a relation, a signature) finds it too.
UNCASED_NER_SCORE = 0.25


def adjusted_score(entity: str, detector: str, text: str, score: float, before: str = "", after: str = "") -> float:
    """The score a span keeps after auditor's doubts about its recognizer's evidence.

    ``before`` and ``after``: the text either side of the span, for NER guesses of one word.
    """
    if detector in ("presidio.PERSON", "presidio.LOCATION"):
        if not is_cased_name(text):
            if entity == "PERSON" and uncased_ner_name(text):
                return score
            if entity == "REGION" and text.islower() and len(text) >= 4:
                return score  # "i live in india"
            return min(score, UNCASED_NER_SCORE)
        if entity == "REGION" or (entity == "LOCATION" and names_its_region(after)):
            return score  # "California"; "Mojave, California": a state or a country places it
        if len(text.split()) == 1 and not single_word_can_be_name(entity, text, before, after):
            return min(score, UNCASED_NER_SCORE)
    return score


# In notes, spaCy's small model tags shorthand and misspelt drugs as people and places
# ("Carevue", "Sx mod th tan", "Levofed", "Requesting Miller"): of its 256 guesses on the
# physionet dev notes, 23 overlapped PHI. A guess there is kept only when a lexicon knows every
# word (bench/public.py). Zipf ceilings for a one-word guess: "John" passes, "Will" does not.
_ONE_WORD_FIRST_NAME_ZIPF = 5.5
_ONE_WORD_SURNAME_ZIPF = 5.0


def _lexicon_kind(word: str) -> str | None:
    key = word.strip(".,'’()-:;").lower()
    if key.endswith(("'s", "’s")):
        key = key[:-2]
    if len(key) <= 1 or not key.isascii():
        return "initial" if len(key) <= 1 else "foreign"
    if key in NOT_NAMES or key.endswith(_MEDICAL_SUFFIXES) or is_drug_name(key):
        return None
    if key in place_names() or key in regions():
        return "place"
    if key in _PLACE_AFFIXES:
        return "affix"
    if key in first_names():
        return "first"
    if key in person_names():
        return "surname"
    return "rare" if zipf(key) < RARE_WORD_ZIPF else None


# Words that open or close the names of places and institutions: "St Mary's", "Eastern Shore",
# "Mount Sinai". They back no guess alone.
_PLACE_AFFIXES = frozenset(
    """st saint ste mt mount ft fort port lake north south east west northern southern eastern
    western upper lower new san santa los las""".split()
)


def lexicon_backs_ner(text: str, before: str = "") -> bool:
    """Whether name and place lists back an NER guess: every word a census name, a city, a
    state or country, an initial or a word outside ASCII, with at most one unlisted rare word
    ("Mary Rueping", "Siya Knowles"); a one-word guess a listed word that is no everyday word
    ("Miller", not "Will"). A place after a house number is an address ("4883 Andrew Loaf")."""
    words = [w for w in re.split(r"[\s/]+", text) if any(ch.isalpha() for ch in w)]
    kinds = [_lexicon_kind(w) for w in words]
    if _HOUSE_NUMBER.search(before) or (words and words[0][:1].isdigit()):
        return True
    if not words or None in kinds:
        return False
    if len(words) == 1:
        kind, key = kinds[0], words[0].strip(".,'’()-:;").lower()
        if kind in ("first", "surname"):
            return zipf(key) < (_ONE_WORD_FIRST_NAME_ZIPF if kind == "first" else _ONE_WORD_SURNAME_ZIPF)
        return kind not in ("rare", "initial", "affix")
    return kinds.count("rare") <= 1 and any(k in ("place", "first", "surname", "foreign") for k in kinds)


_HOUSE_NUMBER = re.compile(r"(?:^|\s)\d{1,6}[A-Za-z]?[ \t]+$")


# What follows a town in an address or a byline: ", Illinois", ", England", ", New South Wales".
_THEN_REGION = re.compile(r"[ \t]*,[ \t]*([A-Z][\w.]*(?:[ \t]+[A-Z][\w.]*){0,3})")


def names_its_region(after: str) -> bool:
    """Whether the text after a place is ", <a state or a country>" ("Paxton, Illinois")."""
    found = _THEN_REGION.match(after)
    if not found:
        return False
    words = found.group(1).split()
    return any(" ".join(words[:n]).strip(".").lower() in regions() for n in range(1, len(words) + 1))


def uncased_ner_name(text: str) -> bool:
    """An NER name in upper or lower case ("DAVID", "emma"): every word a census name."""
    words = text.split()
    lowered = [w.lower().strip(".,'’") for w in words]
    if len(words) >= 2 and lowered[0] in first_names() and lowered[-1] in person_names():
        return True  # "paul walker", "KEVIN SMITH": a first name and a surname
    # An everyday word that is also a first name ("max", "will", "bill") is not taken on the
    # NER's word alone.
    return bool(words) and all(can_be_name(w, cased_ok=False) and zipf(w.lower()) < 4.5 for w in words)


_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n*#>-])[\s\"'(]*$")


def single_word_can_be_name(entity: str, word: str, before: str, after: str) -> bool:
    """A one-word NER name or place, unless it could as well be a heading or a common word.

    A word that heads a field ("Neuro:") is not a name. Otherwise the word must be a census
    first name or surname (a person) or a city or county (a place), hold letters outside
    ASCII, or be rare in English (wordfreq): "Rubija" and "Okafor" are names, "Node", "Foley
    catheter" and "Goal" are words that a sentence or a heading capitalised. A common word
    that opens a sentence is never taken.
    """
    if after.lstrip(" \t").startswith(":"):
        return False
    key = word.strip(".,'’").lower()
    if key.endswith(_MEDICAL_SUFFIXES) or is_drug_name(key):
        return False
    if not word.isascii():
        return True
    if _SENTENCE_START.search(before):
        # Capitalised by its place: only a first name ("Maria called") is taken there, not a
        # surname or a rare term that is also a word ("Lungs", "Comfort", "Checksums"), unless
        # what follows is what a person does ("Castro also attained", "Hasan is").
        if entity != "PERSON":
            return key in place_names()
        if key in first_names():
            return True
        return bool(_PERSON_VERB.match(after)) and (key in person_names() or zipf(key) < RARE_WORD_ZIPF)
    return zipf(key) < RARE_WORD_ZIPF or key in (person_names() if entity == "PERSON" else place_names())


# What follows a person who opens a sentence ("Stoloff was born", "Hasan is", "Wren sat").
_PERSON_VERB = re.compile(
    r"[ \t]*(?:(?:is|was|has|had|said|says|told|also|should|could|would|will|did|does|"
    r"started|came|went|sat|looks|looked|wants|wanted|joined|died|married|returned|played|won)\b)"
)


# A table cell, or a line's first word after a time, a number or a bullet: "12:00  Retro".
_ITEM_START = re.compile(r"(?:\||(?:^|\n)[ \t]*[\d:.,()/+-]+)[ \t]*$")


def plain_word_name(word: str, before: str, after: str) -> bool:
    """A one-word NER name, capitalised in mid-sentence, that heads no field and is no drug,
    medical term or common English word ("making Jinx", "said Shaq"; not "Neuro:", "Propofol",
    "Dude"). A word that opens a sentence or a table cell is capitalised by its place ("Node",
    "Checksums", "Receipt"), and stays with the stricter rule (bench/public.py: allowing it
    there added 0.015 recall on wnut17 and false alarms on technical documents)."""
    if len(word.split()) != 1 or not is_cased_name(word) or after.lstrip(" \t").startswith(":"):
        return False
    if _SENTENCE_START.search(before) or _ITEM_START.search(before) or after[:2].strip()[:1].isdigit():
        return False  # opens a sentence, a table cell or a line item, or names a version: "Node 18+"
    key = word.strip(".,'’").lower()
    if len(key) < 3:
        return False  # "Ni", "Mo": symbols and abbreviations
    if key in _ROLE_WORDS or key.endswith(_MEDICAL_SUFFIXES) or is_drug_name(key):
        return False
    return zipf(key) < PLAIN_WORD_ZIPF


# Titles of office that follow a name ("Riya Smith, Treasurer"): capitalised, rare, no names.
_ROLE_WORDS = frozenset(
    """treasurer controller comptroller secretary director manager president chairman chairwoman
    chairperson chair officer analyst engineer auditor accountant bookkeeper counsel attorney
    paralegal clerk coordinator supervisor administrator assistant intern founder cofounder
    partner principal lead head chief vice ceo cfo coo cto ciso cmo physician surgeon nurse
    pharmacist therapist technician resident fellow attending registrar dean provost professor
    lecturer researcher scientist architect developer consultant contractor specialist""".split()
)
PLAIN_WORD_ZIPF = 4.0  # "dude", "idiot", "treatments": words first, whatever the NER makes of them

# Endings of medical terms, rare in English and so never taken for names: "Hyperlipidemia".
_MEDICAL_SUFFIXES = (
    "emia",
    "itis",
    "osis",
    "ectomy",
    "otomy",
    "ostomy",
    "pathy",
    "plasty",
    "scopy",
    "algia",
    "trophy",
    "uria",
    "penia",
    "megaly",
    "lysis",
    "graphy",
    "cardia",
    "pnea",
    "plegia",
    "rrhea",
    "sclerosis",
)


# wordfreq's Zipf scale: 3 is a word seen once per million words ("catheter" 2.9, "foley" 3.5).
RARE_WORD_ZIPF = 3.0


def is_cased_name(text: str) -> bool:
    """Whether ``text`` is written as a name is in running text: capitalised, not all capitals.

    "Maria", "José Núñez-Ortega", "O'Brien", "McDonald" are; "MARIA", "maria" and "FOLEY" are
    not. A short all-capital word (an acronym such as "UCSF") is left to its own rules.
    """
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if not words or not any(w[:1].isupper() for w in words):
        return False
    letters = [ch for ch in text if ch.isalpha()]
    return not all(ch.isupper() for ch in letters) or len(letters) <= 1


_ORG_WORDS = frozenset(
    """inc inc. ltd ltd. llc corp corp. corporation company co co. group holdings bank university
    college school institute hospital clinic center centre committee board council department dept
    office agency authority association society foundation trust fund partners labs laboratory
    systems services solutions technologies technology networks media news records music studios
    church club team league party union ministry court news times post journal press airlines""".split()
)


def org_is_a_name(text: str, after: str = "") -> bool:
    """An NER organisation that is a person's name: two or three capitalised words, no word of
    an organisation, and a census first name first or a census surname last (or letters
    outside ASCII: "Elínborg Guðmundsdóttir"); or one census name, no everyday word, before
    what a person does ("Hauser was put under arrest", "Cabral also holds")."""
    words = text.replace("\n", " ").split()
    if len(words) == 1 and is_cased_name(text) and _PERSON_VERB.match(after):
        key = text.strip(".,'’").lower()
        if key in _ORG_WORDS or key in place_names() or key in regions():
            return False
        return (key in first_names() and zipf(key) < 4.5) or (key in person_names() and zipf(key) < 4.0)
    if not 2 <= len(words) <= 3 or not all(is_cased_name(w) for w in words):
        return False
    lowered = [w.lower().strip(".,'’") for w in words]
    if any(w in _ORG_WORDS for w in lowered) or any(ch.isdigit() for ch in text):
        return False
    if not text.isascii():
        return True
    # A census first name first, or a surname last that is no everyday word: "Homero Portillo",
    # not "Structured Patient Attributes" (the census lists "Attributes" as a surname).
    return (lowered[0] in first_names() and zipf(lowered[0]) < 5.0) or (
        lowered[-1] in person_names() and zipf(lowered[-1]) < 3.5
    )


# What follows a name that names a disease, a sign or a score: "Wilson's disease", "Wells score",
# "Chaddock reflex", "Framingham risk score", "mallory weiss tear".
_EPONYM_AFTER = re.compile(
    r"(?:['’]s)?[ \t]+(?:\w+[ \t]+)?(?i:disease|syndrome|score|reflex|sign|criteria|test|scale|classification"
    r"|palsy|phenomenon|maneuver|manoeuvre|procedure|operation|lymphoma|sarcoma|tumou?r|ulcer|valve|tear)\b"
)


def ner_is_eponym(after: str) -> bool:
    """Whether an NER name or place is the name of a disease, sign, score or device: what
    follows it says so ("Wilson's disease", "high Wells score", "Passy Muir valve")."""
    return bool(_EPONYM_AFTER.match(after))


def org_is_a_place(text: str, before: str = "") -> bool:
    """An NER organisation that is exactly a state, a country, a city or a county, written as
    names are: "Mozambique", "in Compton" (spaCy's small model often calls a lone place an
    organisation; "Boston Scientific" is no place). A place that is a surname as well is one
    only after a preposition of place: "Ford said" is a company."""
    key = text.strip(".,'’").lower()
    if not is_cased_name(text) or len(key) < 4:
        return False
    if key in regions():
        return True
    if key not in place_names():
        return False
    return (key not in person_names() and key not in first_names()) or bool(_PLACE_PREPOSITION.search(before))


_PLACE_PREPOSITION = re.compile(r"\b(?i:in|at|from|to|near|of|outside)[ \t]+$")


def person_is_a_city(text: str) -> bool:
    """An NER person of one capitalised word that is a city and no census name: "Perth",
    "Melbourne" (spaCy's small model often calls a lone city a person)."""
    key = text.strip(".,'’").lower()
    return (
        len(text.split()) == 1
        and is_cased_name(text)
        and key in place_names()
        and key not in person_names()
        and not is_state_or_country("LOCATION", text)
    )


def date_stands_alone(entity: str, value: str, line: str) -> bool:
    """An ISO date that is all its line holds ("2024-06-01", "2024-10-01-preview"): an API
    version or a setting in code or configuration, not a date in a person's record. (A note's
    date on a line of its own, "3/14/2023", stays.)"""
    if entity != "DATE" or not _ISO_DATE.fullmatch(value):
        return False
    rest = line.strip().strip("\"'`,;")
    return rest.startswith(value) and re.fullmatch(r"[-\w.]*", rest[len(value) :]) is not None


# Numbers of a note that are written as dates: ventilator settings ("CPAP 5/5", "PSV 10/5/40%"),
# pain scores ("CP 4/10") and murmur grades ("3/6 SEM").
_VENT_BEFORE = re.compile(
    r"\b(?i:cpap|bipap|psv|ps|ips|peep|vent|ventilation|settings?|mask|trial|simv|imv)\b\W{0,4}(?:\w+\W{1,3}){0,2}$"
)
_PAIN_BEFORE = re.compile(r"\b(?i:cp|pain|angina|discomfort|pressure|c/o)\b[^.;\n]{0,30}$")
_SETTING_AFTER = re.compile(r"^\)?\s*%|^\W{0,3}(?i:peep|psv|ps|ips|cpap|bipap|sem|murmur)\b")
_PAIN_AFTER = re.compile(r"^\W{0,3}(?i:cp|pain|angina|discomfort)\b")
_SHORT_DATE = re.compile(r"\d{1,2}/\d{1,2}(?:/\d{1,2})?")


def date_is_a_setting(entity: str, value: str, before: str, after: str) -> bool:
    """A short m/d shape beside a ventilator mode, or out of ten beside a pain: "on CPAP 5/5",
    "12/5/40%", "CP 4/10", "3/6 SEM". A full date ("5/5/2023") or a month's name stays a date."""
    value = value.strip()
    if entity != "DATE" or not _SHORT_DATE.fullmatch(value):
        return False
    if _VENT_BEFORE.search(before[-30:]) or _SETTING_AFTER.search(after):
        return True
    return value.endswith("/10") and bool(_PAIN_BEFORE.search(before) or _PAIN_AFTER.search(after))
