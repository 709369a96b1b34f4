"""Recognizers for the Safe Harbor identifiers that no label announces, 45 CFR 164.514(b)(2)(i).

Dates (every element but the year: (C)), ages over 89 (C), facilities and places smaller than a
state (B), any other unique identifying number behind its label (R), and names in the slots
where a person is named (a title, a relation, a greeting, a signature), in any case: upper-case
nursing notes and lower-case chat alike. Patterns as data, as in ``patterns``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import cache

import regex

from auditor.detectors.clinical import is_clinical
from auditor.detectors.filters import (
    _MEDICAL_SUFFIXES,
    _ORG_WORDS,
    RARE_WORD_ZIPF,
    is_cased_name,
    is_drug_name,
    regions,
)
from auditor.detectors.lexicons import (
    NOT_NAMES,
    can_be_name,
    first_names,
    hospital_names,
    person_names,
    place_names,
    stop_words,
    zipf,
)
from auditor.detectors.specs import CASE_SENSITIVE, IGNORECASE_MULTILINE, PatternSpec

_MONTH_NAME = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_MONTH_ABBREVIATION = r"(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
_FULL_MONTH_NAME = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_ORDINAL_DAY = rf"{_DAY}(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|'\d{2})"
_NUM_MONTH = r"(?:1[0-2]|0?[1-9])"
_ORDINAL_WORDS = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth"
    r"|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty[- ](?:first|second"
    r"|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth|thirty[- ]first)"
)
# A fraction, a ratio or a score reads like a day of a month ("1/2 NS", "5/5 strength", "2/3 of"):
# a partial date is one whose month and day are in range and that is not followed by a unit,
# a second slash or the words that follow scores.
_NOT_A_SCORE = (
    r"(?![\d/]|\.\d|\s*(?i:strength|str\b|mg|mcg|ml|cc\b|tabs?\b|units?|ns\b|of\b|ratio|scale|score|pulses?|lungs?"
    r"|breath|bs\b|ext\b|extremit|power|motor|grip|x\b|%|(?:\w+\s+)?pain))"
    # Ventilator settings and pain scores: "PSV 10/5", "BIPAP 10/5", "c/o 3/10".
    # The label is a whole word: "lasix 4/14" and "cx 3/23" are dates, "x 3/4" is a count.
    r"(?<!\b(?i:strength|str|power|grip|motor|pulses?|score|ratio|sats?|bp|gcs|x|psv|ps|peep|cpap|bi-?pap|simv"
    r"|vent|flowby|c/o|pain)\s*\d{1,2}/\d{1,2})"
)
DATE = PatternSpec(
    "auditor.DATE",
    "DATE",
    (
        ("month day year", rf"\b{_MONTH_NAME}\.?\s+{_ORDINAL_DAY}(?:,?\s+{_YEAR})?\b(?!\s*(?:mg|mcg|ml|%))", 0.6),
        ("day month year", rf"\b{_ORDINAL_DAY}\s+(?:of\s+)?{_MONTH_NAME}\.?(?:,?\s+{_YEAR}|,\s*\d{{2}})?\b", 0.6),
        # In a lower-case note, a day and a month's abbreviation ("1->2 nov, 96"); not "may".
        ("day month in any case", rf"\b{_DAY}\s+(?i:{_MONTH_ABBREVIATION})\.?(?:,?\s+{_YEAR}|,\s*\d{{2}})?\b", 0.55),
        # A month alone where a text says when: "home in sept.", "since March", "by Dec".
        (
            "month alone",
            rf"(?<=\b(?i:in|since|until|till|during|by|early|late|mid|end\s+of|beginning\s+of)[ \t]+)"
            rf"(?:{_MONTH_NAME}|(?i:{_MONTH_ABBREVIATION}|january|february|april|june|july|august|september|october"
            r"|november|december))\b",
            0.5,
        ),
        ("month year", rf"\b{_MONTH_NAME}\.?,?\s+(?:19|20)\d{{2}}\b", 0.55),
        # In an upper- or lower-case note, a month's full name with a year: "MARCH OF 1993".
        ("month year in any case", rf"\b(?i:{_FULL_MONTH_NAME})\s+(?i:of\s+)?(?:19|20)\d{{2}}\b", 0.55),
        (
            "numeric date",  # also glued to a word: "labs on10/14/82"
            rf"(?<![\d.,/])(?:\b|(?<=\p{{Ll}})){_NUM_MONTH}([/.-]){_DAY}\1(?:(?:19|20)\d{{2}}|\d{{2}})\b(?![/.-]\d)",
            0.6,
        ),
        ("day first numeric date", rf"\b{_DAY}[/.]{_NUM_MONTH}[/.](?:19|20)\d{{2}}\b", 0.55),
        ("ISO date", r"\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b", 0.6),
        # Not the fractions of everyday notes ("rales 1/3 up", "BP drop 1/2").
        ("month and day", rf"(?<![\d/.,-])(?<!\d:)\b(?!(?:1/[234]|2/3|3/4)\b){_NUM_MONTH}/{_DAY}\b{_NOT_A_SCORE}", 0.5),
        # A month and a year of two digits that no day can be ("AMI 7/81", "s/p AVR 8/88"), as
        # histories write them; not "'2/70's" (a range of pressures).
        ("month and year", rf"(?<![\d/.,:'’-])\b{_NUM_MONTH}/(?:3[2-9]|[4-9]\d)\b(?![/\d%'’]){_NOT_A_SCORE}", 0.5),
        ("ordinal day", rf"(?<=\b(?:on|since|from|until|by)\s+the\s+){_DAY}(?:st|nd|rd|th)\b", 0.5),
        ("day-month-year", rf"\b{_DAY}-{_MONTH_NAME}-(?:(?:19|20)\d{{2}}|\d{{2}})\b", 0.6),
        # Relative to an event, in a record: "seen last week", "admitted last Friday".
        (
            "relative date",
            r"\b(?i:last|this\s+past)\s+(?:(?i:week|weekend)|Monday|Tuesday|Wednesday|Thursday"
            rf"|Friday|Saturday|Sunday|{_MONTH_NAME})\b",
            0.5,
        ),
        ("spelled date", rf"\b{_ORDINAL_WORDS}\s+of\s+{_MONTH_NAME}\b", 0.6),
    ),
    # Month names are words too ("may", "march"): the named forms need their case.
    flags=CASE_SENSITIVE,
)

AGE_OVER_89 = PatternSpec(
    "auditor.AGE_OVER_89",
    "AGE",
    (
        # Ages of 90 or more; a younger age is not an identifier (164.514(b)(2)(i)(C)).
        (
            "age over 89",
            r"\b(?:9\d|1[0-2]\d)(?=[\s-]*(?:y/?o\b|yo\b|yrs?\b|years?[\s-]+old|year-old|-year-old|years?\s+of\s+age))",
            0.7,
        ),
        ("labelled age over 89", r"(?<=\b(?:age|aged)\s*[:=]?\s*)(?:9\d|1[0-2]\d)\b", 0.7),
    ),
)

# "Any other unique identifying number": a value right after the label of a record, case,
# claim or account, whatever its shape ("#SF-998877", "UCSF-20210930-567", "87342GH").
_ID_VALUE = r"(?:#\s?)?(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{2,24}\b"
_ID_LABEL = (
    r"(?:MRN|medical\s+record(?:\s+number)?|record\s+(?:number|no\.?|#)|chart\s+(?:number|no\.?|#)"
    r"|acct|account|case|claim|accession|encounter|visit|admission|specimen|sample|badge|employee"
    r"|student|site|subject|study|participant|member|policy|insur(?:ance)?|certificate|cert|licen[cs]e"
    r"|permit|registration|patient\s+(?:id|number|no\.?|#)|unique|reference|ref|tracking)"
)
LABELLED_ID = PatternSpec(
    "auditor.LABELLED_ID",
    "UNIQUE_ID",
    (
        (
            "labelled identifier",
            # The cheap test first: a value holds a digit; the label behind it is looked for only then.
            rf"(?=(?:#\s?)?[A-Z0-9-]{{0,24}}\d)"
            rf"(?<=\b{_ID_LABEL}\.?\s*(?:number|num|no\.?|#|id|identifier)?\s*(?:[:#]|is|was|of)?\s*){_ID_VALUE}",
            0.6,
        ),
    ),
    validate=lambda value: sum(ch.isdigit() for ch in value) >= 3,
)

LABELLED_SSN = PatternSpec(
    "auditor.LABELLED_SSN",
    "US_SSN",
    # Presidio's SSN recognizer drops numbers it knows are invalid or samples (123-45-6789);
    # behind its label such a number is still somebody's SSN as far as a prompt is concerned.
    (
        (
            "labelled SSN",
            r"(?<=\b(?:SSN|social\s+security(?:\s+(?:number|no\.?|#))?)\s*[:#]?\s*)\d{3}[- ]?\d{2}[- ]?\d{4}\b",
            0.85,
        ),
    ),
    keywords=("ssn", "social"),
)

# Not "Health" or "Healthcare" alone: "Acme Health" is as often the company as a clinic.
_FACILITY_WORD = (
    r"(?:Hospital|Hosp\.?|Medical\s+Center|Med\.?\s+Center|Medical\s+Centre|Medical|Clinic|Health\s+Center"
    r"|Health\s+System|Memorial|Infirmary|Rehab(?:ilitation)?(?:\s+(?:Center|Hospital))?"
    r"|Nursing\s+Home|Cancer\s+Center|Children's|Sanatorium|Hospice|Institute|Surgical\s+Center|Urgent\s+Care)"
)
_CAP = r"(?:\p{Lu}[\p{L}'’.&-]*|of|and|the)"
_CARE_VERB = (
    r"(?:seen|treated|admitted|readmitted|presented|diagnosed|evaluated|referred|transferred|followed"
    r"|hospitali[sz]ed|visit(?:ed)?|check-?up|appointment|report|biopsy|surgery|scan|imaging|operated"
    r"|delivered|born|discharged|care|stay|stayed|consult(?:ed)?|examined|screened|tested|went|go|going)"
)
FACILITY = PatternSpec(
    "auditor.FACILITY",
    "LOCATION",
    (
        (
            "named facility",
            rf"\b(?:(?:St\.?|Saint)[ \t]+)?\p{{Lu}}[\p{{L}}'’.&-]*(?:[ \t]+{_CAP}){{0,4}}?[ \t]+{_FACILITY_WORD}\b"
            r"(?:[ \t]+(?:of[ \t]+)?\p{Lu}\p{L}+(?:[ \t]+\p{Lu}\p{L}+)?)?",
            0.6,
        ),
        (
            "place of care",
            rf"(?<=\b{_CARE_VERB}\s+(?:at|to|from|in)\s+(?:the\s+)?)"
            r"(?!(?:ICU|MICU|SICU|CCU|ER|ED|OR|PACU|NICU|OSH|NH|Home|Monday|Tuesday|Wednesday|Thursday|Friday"
            r"|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November"
            r"|December)\b)"
            # Words of a name on one line; a period only closes a short abbreviation ("St. Agnes"),
            # so "from OSH. PT ON LASIX" does not run on into the next sentence.
            r"\p{Lu}(?:\p{L}{0,2}\.|[\p{L}'’&-]*)(?:[ \t]+\p{Lu}(?:\p{L}{0,2}\.|[\p{L}'’&-]*)){0,3}",
            0.55,
        ),
    ),
    flags=CASE_SENSITIVE,
)


class _Trie(dict[str, "_Trie"]):
    """Words to the phrases that go on with them; the key "" marks where a phrase ends."""


def _phrase_pattern(phrases: list[str]) -> str:
    """One regex for many phrases of words, as a trie (a phrase's words share their prefix's
    branch), so that the engine tries each start once. "saint" reads "St." and "St" too, and a
    last word may carry a possessive ("Saint Mary's", "ST. MARY")."""
    trie = _Trie()
    for phrase in phrases:
        node = trie
        for part in phrase.removesuffix("'s").split():
            node = node.setdefault(part, _Trie())
        node[""] = _Trie()

    def word(part: str) -> str:
        return r"(?:saint|st\.?)" if part == "saint" else regex.escape(part)

    def branch(node: _Trie) -> str:
        options = [
            word(part) + (r"(?:['’]?s)?" if "" in child else "") + follow(child) for part, child in node.items() if part
        ]
        return "(?:" + "|".join(sorted(options, key=len, reverse=True)) + ")"

    def follow(child: _Trie) -> str:
        if len(child) == 1 and "" in child:
            return ""
        rest = r"[ \t]+" + branch(_Trie({part: c for part, c in child.items() if part}))
        return f"(?:{rest})?" if "" in child else rest

    return branch(trie)


# The words after a name that say what it is ("Holy Cross Hospital", "Greater Baltimore Med Ctr");
# a period only after an abbreviation ("Hosp."), not the one that ends a sentence.
_HOSPITAL_TAIL = (
    r"(?:[ \t]+(?:(?:regional|memorial|medical|hospital|center|centre|rehab|general|institute)\b"
    r"|(?:hosp|med|ctr)\b\.?))*"
)
_WORD_START = regex.compile(r"(?<![\p{L}\d'’-])\p{L}+")


@cache
def _hospital_lexicon() -> tuple[frozenset[str], regex.Pattern[str]]:
    """The first words of the hospitals' names (lower case), and the regex that reads a whole
    name from where one of them starts."""
    names = hospital_names()
    firsts = {name.split()[0] for name in names}
    if "saint" in firsts:
        firsts |= {"st"}
    body = _phrase_pattern(names) + r"(?![\p{L}\d'’-])" + _HOSPITAL_TAIL
    return frozenset(firsts), regex.compile(body, regex.IGNORECASE)


def _hospitals_in(text: str) -> list[tuple[int, int]]:
    """Where ``text``, if clinical, names a hospital of ``lexicons.hospital_names``: each word
    is looked up in a set, and the whole name read only where a name can start (one regex of a
    thousand names tried at every position was 80 times slower)."""
    firsts, name = _hospital_lexicon()
    found: list[tuple[int, int]] = []
    position = 0
    for word in _WORD_START.finditer(text):
        if word.start() < position or word.group().lower() not in firsts:
            continue
        match = name.match(text, word.start())
        if match is not None:
            found.append(match.span())
            position = match.end()
    if found and not is_clinical(text, set()):
        return []
    return found


# A hospital by the name notes call it, without the words that say it is one: "heart transplant
# at Holy Cross", "TAKEN TO LAUREL REGIONAL", "MedFlight from Greater Baltimore Med Ctr", "Was
# accepted by St. Agnes" (``lexicons.hospital_names``: US hospitals' names of two words or more,
# one rare in English). Only in clinical text: in prose "Holy Cross" is as often a college.
HOSPITAL_NAME = PatternSpec(
    "auditor.HOSPITAL_NAME",
    "LOCATION",
    (("hospital by its name", r"(?!)", 0.6),),  # never matches: ``finder`` finds them
    flags=IGNORECASE_MULTILINE,
    finder=_hospitals_in,
)

# The same in upper- or lower-case notes ("TRANSFER FROM CALVERT HOSPITAL", "to sacred heart
# hospital", "transferred to GH", "arrived from kernan"): the words kept are the run before the
# facility word, or after the verb, that are no everyday words (``_rare_place_words``).
_GENERIC_PLACE = frozenset(
    "outside local community general rehab psych nursing osh transfer referring receiving previous another "
    "same other this that their his her our a an the "
    # Units and services inside a hospital, which name no facility: "admitted to CCU", "sent to cath lab".
    "icu ccu micu sicu picu nicu cvicu tsicu csru pcu ed er ew or pacu ir ct mri cath echo ep hosp surg "
    "cards neuro team floor ward unit lab teaching private public mental psychiatric different new old "
    "nearest nearby closest".split()
)


_HOSPITAL_WORDS = frozenset({"hospital", "hosp", "hosp.", "memorial", "infirmary", "hospice"})


def _rare_place_words(value: str, facility_last: bool) -> tuple[int, int] | None:
    tokens = list(regex.finditer(r"[\p{L}][\p{L}'’.&-]*", value))
    if facility_last:  # "... CALVERT HOSPITAL": keep the facility word and the names before it
        keep = len(tokens) - 1
        while keep > 0 and _is_place_name(tokens[keep - 1].group(), lenient=True):
            keep -= 1
        names = [t.group().lower().strip(".") for t in tokens[keep:-1]]
        # One name that is no everyday word: "Calvert"; not a heading ("DEVICE CLINIC"). Before
        # "hospital" or "memorial" everyday words name one too: "HOLY CROSS", "UNION HOSPITAL".
        facility = tokens[-1].group().lower()
        if not names or (min(zipf(w) for w in names) >= 4.5 and facility not in _HOSPITAL_WORDS):
            return None
        name = tokens[keep].group()
        if facility == "house" and (len(names) > 1 or zipf(names[0]) >= RARE_WORD_ZIPF or name.islower()):
            # A home or shelter by its one rare name, written as a name ("KEELEY HOUSE", "Grieco
            # House"); not "WHITE HOUSE", "tolerating house diet".
            return None
        return tokens[keep].start(), tokens[-1].end()
    if tokens and tokens[0].group().lower() == "the":  # the look-behind's "the" is optional: "TO THE GH"
        tokens = tokens[1:]
    run = 0
    while run < len(tokens) and _is_place_name(tokens[run].group(), lenient=False):
        run += 1
        if tokens[run - 1].group().endswith("."):
            break  # the sentence ends: "tx to GH.  PMH: CAD"
    if not run:
        return None
    last = tokens[run - 1]
    return tokens[0].start(), last.end() - (1 if last.group().endswith(".") and len(last.group()) > 2 else 0)


def _is_place_name(token: str, lenient: bool) -> bool:
    word = token.lower().strip(".")
    if len(word) < 2 or word in stop_words() or word in _GENERIC_PLACE or is_drug_name(word):
        return False
    # Before a facility word any name goes ("Sacred Heart", "Holy Cross"); after a verb of care
    # only a word rare in English ("GH", "kernan", "quartermain"), not "floor" or "home".
    return lenient or zipf(word) < 3.5


FACILITY_ANY_CASE = PatternSpec(
    "auditor.FACILITY_ANY_CASE",
    "LOCATION",
    (
        (
            "named facility in any case",
            # "memorial hospital" before "memorial": "FROM MEMORIAL HOSPITAL" is a hospital, not
            # "FROM MEMORIAL" (which has no name before it).
            r"\b(?:[\p{L}][\p{L}'’.&-]*[ \t]+){1,3}(?:memorial[ \t]+(?:hospital|hosp)|hospital|hosp|hospiatal"
            r"|medical[ \t]+center|clinic|rehab|memorial|infirmary|nursing[ \t]+home|hospice|house)\b",
            0.55,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    refine=lambda value: _rare_place_words(value, facility_last=True),
)

_NOT_HOSPITALS = frozenset("ch ph sh th cath bath path wash mash high much such each rich usoh".split())
# A hospital by the initials notes give it, after where a patient is or goes: "SENT TO ED AT GH",
# "medflight to GH", "transferred from MGH", "had at gh". Not "OSH" (outside hospital) or "NH" (nursing home).
HOSPITAL_INITIALS = PatternSpec(
    "auditor.HOSPITAL_INITIALS",
    "LOCATION",
    (
        (
            "hospital initials",
            r"(?<=\b(?i:at|to|from|@|in|into)[ \t]+(?i:the[ \t]+)?)(?!(?i:osh|nh|bh)\b)(?-i:[A-Z]{1,3}H|[a-z]{1,2}h)\b"
            r"(?![-/]?\d)",
            0.55,
        ),
    ),
    flags=CASE_SENSITIVE,
    # Not a word in capitals ("UP TO CH", "IN HIGH 90'S", "TO CATH LAB", "pH").
    validate=lambda value: value.lower() not in _NOT_HOSPITALS and zipf(value.lower()) < 3.3,
)

# A ward or a building of a hospital by its name and number, after where a patient goes or is:
# "TRANSFER TO QUARTERMAIN 2", "on Quartermain 3"; a name rare in English, no drug or setting.
_NOT_WARDS = frozenset("cpap bipap peep psv simv vent nasal cannula mask room floor bed unit level".split())


def _ward_name(value: str) -> bool:
    key = value.lower()
    if not value[:1].isupper() or key.endswith(("ion", "ing", "ed", "ol", "ine", "ide")):
        return False  # "to transfuse 2", "prior to INTUBATION 7.23", "on droperidol 0.625"
    return key not in _NOT_WARDS and not is_drug_name(key) and zipf(key) < RARE_WORD_ZIPF


WARD_NAME = PatternSpec(
    "auditor.WARD_NAME",
    "LOCATION",
    (
        (
            "ward name and number",
            r"(?<=\b(?i:to|on|from|per|transfer|tx|transferred|transfered|onto)[ \t]+(?i:the[ \t]+)?)"
            r"\p{L}{5,}(?=[ \t]+\d\b(?![-./:]\d)(?![ \t]*(?i:u|mg|mcg|ml|units?|pm|am|bags?|times)\b))",
            0.5,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    validate=_ward_name,
)

# A part of a state by the name its people give it: "on the Eastern Shore", "FROM THE EASTERN
# SHORE", "the upper peninsula" (smaller than a state: 164.514(b)(2)(i)(B)). Not "the West
# Coast" or "the Great Plains", which are larger.
PART_OF_A_STATE = PatternSpec(
    "auditor.PART_OF_A_STATE",
    "LOCATION",
    (
        (
            "part of a state",
            r"(?<=\bthe[ \t]+)(?:eastern|western|northern|southern|north|south|east|west|upper|lower)[ \t]+"
            r"(?:shore|peninsula|panhandle|highlands|valley)\b",
            0.55,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    keywords=("shore", "peninsula", "panhandle", "highlands", "valley"),
)

PLACE_OF_CARE_ANY_CASE = PatternSpec(
    "auditor.PLACE_OF_CARE",
    "LOCATION",
    (
        (
            "place of care in any case",
            r"(?<=\b(?:transfer(?:red)?|transfered|tx|admitted|readmitted|adm|followed|arrived|came|come|taken|sent"
            r"|discharged|returned|brought|seen|screened|referred|enroute|en[ \t]+route|flown|transported|presented"
            r"|go(?:ing)?|went|trans)[ \t]+(?:to|at|from|into|by)[ \t]+(?:the[ \t]+)?)"
            r"[\p{L}][\p{L}'’.&-]*(?:[ \t]+[\p{L}][\p{L}'’.&-]*)?",
            0.5,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    refine=lambda value: _rare_place_words(value, facility_last=False),
)

# Names in the slots where a person is named. The word after a title or a relation is a name
# when it is capitalised in mixed-case text, or a census name in upper- or lower-case text
# (``lexicons.can_be_name``).
_NAME_TOKEN = r"[\p{L}][\p{L}'’-]*\.?"
# The credentials a clinician signs with ("JON DEVAUX RRT", "WARREN KAVALIUNAS NP").
_CREDENTIAL = r"RN|RRT|NP|MD|PA-C|LPN|CNA|RNC|APRN|MSW|LICSW|LCSW|SLP|RD"
_TITLE = r"(?:drs|dr's|dr|doctor|mr|mrs|ms|miss|mx|nurse|prof|professor|rev)"
# Titles that are words of a note as well: "sister said", "RN faxed", "NP. Lungs", "4L NP" (nasal
# prongs). A name stands behind them only capitalised, after a space.
_WORD_TITLE = r"(?:sister|brother|father|(?<!\d[ \t]*L[ \t]*)(?-i:NP|MD|RN))"
_RELATION = (
    r"(?:wife|husband|spouse|son|sons|daughter|daughters|dtr|sister|brother|mother|father|mom|dad|niece"
    r"|nephew|grand(?:son|daughter|mother|father|child)|aunt|uncle|cousin|friend|neighbou?r|proxy|hcp"
    r"|spokesperson|guardian|fianc[eé]e?|partner|girlfriend|boyfriend|sibling|caregiver|child|children)"
)
_TOKEN = regex.compile(r"[\p{L}][\p{L}'’-]*\.?")


def _trailing_names(value: str, **rules: bool) -> tuple[int, int] | None:
    """The trailing run of words of ``value`` that can be names (an initial may open one):
    "CENTRAL LINE PER WARREN KAVALIUNAS" gives "WARREN KAVALIUNAS"."""
    spans = list(_TOKEN.finditer(value))
    start = None
    for match in reversed(spans):
        word = match.group()
        if len(word) == 2 and word.endswith(".") and start is not None:
            start = match.start()  # an initial: "W. MAROTTA"
            continue
        if start is not None and word.endswith(".") and len(word) > 3:
            break  # a sentence ends before the name: "on lasix.  Emily Parker,RN"
        if not can_be_name(word, **rules):
            break
        start = match.start()
    if start is None:
        return None
    end = spans[-1].end() - (1 if spans[-1].group().endswith(".") else 0)
    return start, end


def _surname_after_initial(word: str) -> bool:
    key = word.lower().strip(".")
    letters = key.replace("-", "").replace("'", "").replace("’", "")
    return len(letters) >= 2 and letters.isalpha() and key not in stop_words() and zipf(key) < 5.0


def _leading_names(value: str, **rules: bool) -> tuple[int, int] | None:
    """The leading run of words of ``value`` that can be names ("and" may join two, an initial
    may open one); ``rules`` as for ``lexicons.can_be_name``."""
    end = None
    spans = list(_TOKEN.finditer(value))
    tokens = [t.group() for t in spans]
    after_initial = False
    for i, word in enumerate(tokens):
        following = i + 1 < len(tokens) and can_be_name(tokens[i + 1], **rules)
        if word.lower() == "and" and end is not None and following:
            continue
        if len(word) == 2 and word.endswith(".") and (following or end is not None):
            # An initial: "W. Marotta"; after a first name, whatever follows is the surname
            # ("DAN A. FORMAN-LYONS", "EDWARD C. JONES").
            after_initial = end is not None
            continue
        if after_initial and _surname_after_initial(word):
            after_initial = False
        elif not can_be_name(word, **rules):
            break
        core = word.rstrip("-'’")  # "DAUGHTER-KRISSY---301": the dashes are no part of the name
        end = spans[i].start() + len(core) - (1 if core.endswith(".") and len(core) > 2 else 0)
    if end is None:
        return None
    return spans[0].start(), end


# Behind a title any census surname is a name, however common a word it is: "dr. white",
# "dr small", "DR'S CAMARDA AND CLIFFORD", "per md Saeed".
TITLED_NAME = PatternSpec(
    "auditor.TITLED_NAME",
    "PERSON",
    # Not "40 ms. Pool": "ms" after a number is a unit; other titles may follow one ("hct of26  dr. murphy").
    (
        (
            "titled name",
            rf"(?:(?<=\b(?!ms\b){_TITLE}(?:\.[ \t]*|[ \t]+))|(?<=(?<!\d[ \t]*)\bms(?:\.[ \t]*|[ \t]+))"
            rf"|(?<=\b{_WORD_TITLE}[ \t]+)(?=(?-i:[A-Z]))|(?<=\bper[ \t]+(?:md|np|rn)[ \t]+)(?=(?-i:[A-Z])))"
            rf"{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?",
            0.7,
        ),
        # Doctors named together: "Drs Ferullo and Saeed", "DR'S CAMARDA AND CLIFFORD".
        # (the first is the titled name's; this is the second).
        ("second titled name", rf"(?<=\b(?:drs|dr's)\.?[ \t]+{_NAME_TOKEN}[ \t]+and[ \t]+){_NAME_TOKEN}", 0.7),
    ),
    flags=IGNORECASE_MULTILINE,
    refine=lambda value: _leading_names(value, rare_ok=True, surname_ok=True),
)

SLOT_NAME = PatternSpec(
    "auditor.SLOT_NAME",
    "PERSON",
    (
        (
            "relation's name",
            # "daughter Ann", "son, Ed", and the notes' "DAUGHTER-KRISSY", "SISTER,CARROLL ANNE"; not
            # a relation after a relation ("TWO DAUGHTERS,DAUGHTER JANE": the name is after the second)
            rf"(?<=\b{_RELATION}(?:[ \t]*,?[ \t]+|[ \t]*-+[ \t]*|,)(?:named[ \t]+|is[ \t]+)?)"
            rf"(?!{_RELATION}\b){_NAME_TOKEN}"
            rf"(?:[ \t]+(?:and[ \t]+)?{_NAME_TOKEN})?",
            0.6,
        ),
        (
            "greeting",
            rf"(?<=\b(?:hi|hello|hey|dear|thanks|thank[ \t]+you)[ \t]*,?[ \t]+){_NAME_TOKEN}(?=[ \t]*[,!.\n])",
            0.6,
        ),
        (
            "self-introduction",
            rf"(?<=\b(?:my[ \t]+name[ \t]+is|name[ \t]+is|i[ \t]+am|i'm|call[ \t]+me)[ \t]+)"
            rf"{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?",
            0.6,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    refine=lambda value: _leading_names(value, rare_ok=True),
)

SIGNATURE_NAME = PatternSpec(
    "auditor.SIGNATURE_NAME",
    "PERSON",
    (
        (
            "signature",
            rf"(?<=^[ \t]*|[.;][ \t]+){_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,2}}"
            rf"(?=,?[ \t]+(?-i:{_CREDENTIAL})\b)",
            0.6,
        ),
        # In upper- or lower-case notes: "PATIENT JOHN", "mrs. park" (the census decides).
        (
            "patient's name",
            rf"(?<=\b(?:patient|pt\.?|mr|mrs|ms)[ \t]+){_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,2}}",
            0.6,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    refine=lambda value: _leading_names(value, cased_ok=False),
)


def _is_listed_name(word: str) -> bool:
    """A census first name, or a census surname that is no common English word, or a word of
    letters outside ASCII; for the slots where a place, a dish or a product could also stand."""
    lowered = word.lower().rstrip(".")
    if lowered in stop_words() or lowered in place_names():  # "Paris, London and Berlin"
        return False
    if lowered in first_names() and zipf(lowered) < 5.0:
        return True
    if lowered in person_names() and zipf(lowered) < 3.5:
        return True
    return not word.isascii() and word.isalpha()


# Names where a sentence says a person is meant, though no title or label stands before them:
# "What's your last name? Magnusson", "everyone calls me Aantje", "Enrico shouted at Gary".
_SPEECH_VERB = r"(?:said|shouted|yelled|screamed|whispered|replied|asked|told|wrote|texted|emailed|called)"
NAME_IN_SENTENCE = PatternSpec(
    "auditor.NAME_IN_SENTENCE",
    "PERSON",
    (
        (
            "name asked for",
            rf"(?<=\b(?:last|first|family|given|middle|maiden|full|sur)[ \t]*name[ \t]*(?:is|was|:|\?|=)[ \t]*)"
            rf"{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?",
            0.6,
        ),
        (
            "what a person is called",
            rf"(?<=\b(?:calls?|called)[ \t]+(?:me|him|her|them)[ \t]+){_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?",
            0.6,
        ),
        ("spoken to", rf"(?<=\b{_SPEECH_VERB}[ \t]+(?:at|to)[ \t]+){_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?", 0.5),
        ("speaker", rf"(?-i:\p{{Lu}}[\p{{L}}'’-]+)(?=[ \t]+{_SPEECH_VERB}[ \t]+(?:at|to)\b)", 0.5),
    ),
    flags=IGNORECASE_MULTILINE,
    refine=lambda value: _leading_names(value, cased_ok=False, rare_ok=True),
)

# A list of three or more single capitalised words of which the item is a census name:
# "They had 6: Gaetane, Hannah, Anthony, Derek, Anna and Andrew", "founders: Eklund, Michael
# and Hodge". Each item is checked alone (a list of crops or cities has few census names).
_ITEM = r"\p{Lu}[\p{L}'’-]+"
NAME_IN_LIST = PatternSpec(
    "auditor.NAME_IN_LIST",
    "PERSON",
    (
        # Bounded repeats: a lookaround with an open-ended list in it made a long list quadratic.
        (
            "listed name",
            rf"(?<![\p{{L}}'’-]){_ITEM}(?=(?:,[ \t]+{_ITEM}){{0,8}},?[ \t]+and[ \t]+{_ITEM}\b)",
            0.5,
        ),
        ("last listed name", rf"(?<={_ITEM},[ \t]+{_ITEM},?[ \t]+and[ \t]+){_ITEM}\b", 0.5),
    ),
    flags=CASE_SENSITIVE,
    validate=_is_listed_name,
)


# First names that are as often everyday words (a first name's own Zipf frequency is 3.5 to 4.5).
_EVERYDAY_NAMES = frozenset(
    "rusty iris daisy jade melody ivy glen heather holly trinity ginger lily amber ruby buck penny sunny "
    "harmony pearl destiny sandy autumn dawn honey hunter ward crystal chase angel charity drew gene "
    "sue pat lou earl dale wade carol mason eve sang".split()
)


def _first_name_and_surname(value: str) -> tuple[int, int] | None:
    """A capitalised census first name that is no everyday word nor a city ("Wendy", "Glenda",
    not "Will", "Austin"), with the capitalised surname after it if one follows."""
    words = value.split()
    first = words[0].lower()
    if first not in first_names() or zipf(first) >= 4.5 or first in _EVERYDAY_NAMES or first in NOT_NAMES:
        return None
    if first in place_names() or first in stop_words():
        return None
    if len(words) > 1 and (_is_listed_name(words[1]) or zipf(words[1].lower()) < 3.0):
        return 0, len(value)
    return 0, len(words[0])


# A first name in mixed-case text, where the small NER model often sees none ("Kenny, you
# need to", "Poor Jimmy xD"): the census lists it and English does not use it as a word.
FIRST_NAME = PatternSpec(
    "auditor.FIRST_NAME",
    "PERSON",
    (
        (
            "census first name",
            r"(?<![\p{L}\d@#_./-])\p{Lu}\p{Ll}{2,}(?:[ \t]\p{Lu}[\p{Ll}'’-]{2,})?(?![\p{L}\d_@])",
            0.5,
        ),
    ),
    flags=CASE_SENSITIVE,
    refine=_first_name_and_surname,
)


def _name_part(word: str, *, first: bool) -> bool:
    """One word of a full name written as one: letters outside ASCII ("Tünde", "Šušulić"), a
    census name that is no common English word, or a word rare in English; never a stop word,
    drug, medical term, place or title of office."""
    from auditor.detectors.filters import _MEDICAL_SUFFIXES, _ROLE_WORDS

    key = word.lower().rstrip(".")
    if key in stop_words() or key in _ROLE_WORDS or is_drug_name(key) or key.endswith(_MEDICAL_SUFFIXES):
        return False
    frequency = zipf(key)
    if first and key in first_names() and frequency < 4.5 and key not in _EVERYDAY_NAMES:
        return True
    if key in place_names():
        return False
    if not word.isascii():
        return word.replace("-", "").replace("'", "").isalpha()
    if not first and key in person_names() and frequency < 4.0:
        return True
    return frequency < 3.0


def _full_name(value: str, *, rare_first: bool = False) -> tuple[int, int] | None:
    """A first name and a surname, with an initial between them or without: each a name part
    ("Edvard Petrussen", "Ravil G Yefimov", "Faina D. Yefremova"); with an initial, the surname
    may be any capitalised word that is no common one ("Brad L Key")."""
    words = value.split()
    first, last = words[0], words[-1]
    if not _name_part(first, first=True):
        return None
    key = first.lower()
    census_or_foreign = (key in first_names() and zipf(key) < 4.5) or not first.isascii()
    if census_or_foreign == rare_first:
        return None  # each shape is its own recognizer: see RARE_FULL_NAME
    if len(words) == 3:
        key = last.lower()
        if _name_part(last, first=False) or (zipf(key) < 4.5 and key not in stop_words() and not is_drug_name(key)):
            return 0, len(value)
        return None
    return (0, len(value)) if _name_part(last, first=False) else None


_COMPANY_SUFFIX = r"(?:AG|GmbH|Inc|Ltd|LLC|LLP|SA|SAS|S\.A\.|NV|N\.V\.|BV|B\.V\.|plc|Corp|Co|Oy|AB|AS|ApS|KG)"
# A full name in mixed-case text that the small NER model misses, most often a name from
# outside the English-speaking world ("I want to add Tünde Hoffmann as a beneficiary",
# "Have you been to a Ravil G Yefimov concert"). Not inside a run of capitalised words (a
# title or an organisation: "Google Public Data Explorer").
FULL_NAME = PatternSpec(
    "auditor.FULL_NAME",
    "PERSON",
    (
        (
            "first name, initial and surname",
            r"(?<![\p{L}\d@#_./'’-])(?<!\p{Lu}[\p{L}'’-]*[ \t])"
            r"\p{Lu}\p{Ll}[\p{Ll}'’-]+(?:[ \t]\p{Lu}\.?)?[ \t]\p{Lu}\p{Ll}[\p{Ll}'’-]+"
            rf"(?![\p{{L}}\d_@]|[ \t]\p{{Lu}}\p{{Ll}}|[ \t]+{_COMPANY_SUFFIX}\b)",
            0.5,
        ),
    ),
    flags=CASE_SENSITIVE,
    refine=_full_name,
)
# The same where the first name is no census name but a word rare in English ("Edvard
# Petrussen", "Einojuhani Pyysalo"). In clinical notes that shape is shorthand and misspelling
# ("Lrad Aline", "Recheck Hct"), so it is reported outside clinical text only (Span.general_only).
RARE_FULL_NAME = dataclasses.replace(
    FULL_NAME, detector="auditor.RARE_FULL_NAME", refine=lambda value: _full_name(value, rare_first=True)
)
GENERAL_ONLY_DETECTORS = frozenset({RARE_FULL_NAME.detector})


# First names as common in English text as words are, which are names all the same ("mary",
# "david"): the census first names of Zipf 4.5 and over that English uses as no other word.
_COMMON_FIRST_NAMES = frozenset(
    "stephen dan jan jordan tim edward joseph francisco kevin adam andrew jackson kim nick ryan daniel jim alex "
    "bob sam tony ben harry henry martin charles joe mary richard mike chris louis tom thomas robert peter "
    "william paul george michael james david john steve ed".split()
)
_REST = {  # the rest of a name in the case of its first word: (initial or middle name, surname)
    case: regex.compile(rf"(?:[ \t]({c}\.?|{c}{{3,}}))?[ \t]({c}[{c}'’-]{{2,}})(?![\p{{L}}\d_@])")
    for case, c in ((False, r"\p{Ll}"), (True, r"\p{Lu}"))
}
_SURNAME_ONLY = {
    case: regex.compile(rf"[ \t]({c}[{c}'’-]{{2,}})(?![\p{{L}}\d_@])")
    for case, c in ((False, r"\p{Ll}"), (True, r"\p{Lu}"))
}


def _first_in_one_case(word: str, *, place_ok: bool = False, middle: bool = False) -> bool:
    """A census first name that is no everyday word ("patricia", "KAREN", "mary"; not "will",
    "MAY"); not a city's name ("austin") unless it is as common a first name as "mary" is, or
    ``place_ok`` (a surname follows that is no place: "florencia cooke"; in the ``middle`` of a
    name: "DORIS LYNN ZELINSKI")."""
    if word not in first_names() or word in _EVERYDAY_NAMES or word in NOT_NAMES or word in stop_words():
        return False
    if word in _COMMON_FIRST_NAMES:
        return True
    # A short first name that is a place is as often a word: "ina pouch" (in a pouch).
    return zipf(word) < 4.5 and ((place_ok and (middle or len(word) >= 5)) or word not in place_names())


def _surname_in_one_case(word: str, rare_ok: bool) -> bool:
    """A census name that is no common word, or when ``rare_ok`` a word rare in English."""
    last = word.rstrip("'’-").lower()
    last = last[:-2] if last.endswith(("'s", "’s")) else last
    if last in stop_words() or last in _EVERYDAY_NAMES or last in NOT_NAMES or is_drug_name(last):
        return False
    frequency = zipf(last)
    if last in person_names():
        return frequency < 4.5 or (frequency < 5.0 and last in first_names())  # "ryan" is common as a name
    return rare_ok and len(last) >= 4 and last.isalpha() and frequency < 2.5


def _no_place(word: str) -> bool:
    """No state or country, and no city or county unless a surname too ("Cooke")."""
    key = word.lower()
    return key not in regions() and (key not in place_names() or key in person_names())


def _one_case_full_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A census first name that is no everyday word, an optional initial or second first name,
    and a surname, all in one case ("patricia desrosiers", "benjamin a seiler", "KAREN ANN
    YANULIS"; not "grace period", "mark down"). The surname is a census name that is no common
    word; not any rare word: in notes those are misspellings and shorthand ("mae spont",
    "aline prssures"), but in capitals, after a first name, a word rare in English that is no
    drug or term is one ("BEA TURA")."""
    upper = text[start].isupper()
    first = text[start:end].lower()
    if not _first_in_one_case(first, place_ok=True):
        return None
    rest = _REST[upper].match(text, end)
    if rest is not None and rest.group(1):
        middle = rest.group(1).rstrip(".").lower()
        # Three words of which two are first names: the third may be any rare word ("mary
        # theresa kondouli"); and a first name that is a place is one before them.
        named = len(middle) > 1 and _first_in_one_case(middle, place_ok=True, middle=True)
        if (
            (len(middle) == 1 or named)
            and _surname_in_one_case(rest.group(2), named or (upper and zipf(first) < 4.5))
            and (_first_in_one_case(first) or _no_place(rest.group(2)))
        ):
            return start, rest.end()
        rest = _SURNAME_ONLY[upper].match(text, end)  # "BEA TURA AWARE": no middle name after all
    if rest is None:
        return None
    last = rest.groups()[-1]
    if _surname_in_one_case(last, upper and zipf(first) < 4.5) and (_first_in_one_case(first) or _no_place(last)):
        return start, rest.end()
    return None


# The same in lower or upper case, which chat and notes often are: a first name alone there is
# too often a word ("will", "mark"), so a surname must follow.
LOWER_CASE_NAME = PatternSpec(
    "auditor.LOWER_CASE_NAME",
    "PERSON",
    (
        (
            "first name and surname in one case",
            r"(?<![\p{L}\d@#_./-])"
            r"(?:\p{Ll}{3,}(?=(?:[ \t]\p{Ll}\.?|[ \t]\p{Ll}{3,})?[ \t]\p{Ll}[\p{Ll}'’-]{2,}(?![\p{L}\d_@]))"
            r"|\p{Lu}{3,}(?=(?:[ \t]\p{Lu}\.?|[ \t]\p{Lu}{3,})?[ \t]\p{Lu}[\p{Lu}'’-]{2,}(?![\p{L}\d_@])))",
            0.5,
        ),
    ),
    flags=CASE_SENSITIVE,
    extend=_one_case_full_name,
)


# A first name alone where a note ends, as its writer signs it: "...NOT 1400U/HR.  SUSAN". A
# census first name that is no everyday word: not "...will cont to monitor. Will"; only in a
# clinical note, after a sentence's end (a code file's strings, "...\nuser\ncontent\nping",
# are no note).
def _signing(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The first name that ends a clinical note (``SIGNED_FIRST_NAME``)."""
    if not _first_in_one_case(text[start:end].lower()) or not is_clinical(text, set()):
        return None
    return start, end


SIGNED_FIRST_NAME = PatternSpec(
    "auditor.SIGNED_FIRST_NAME",
    "PERSON",
    (("first name signing", r"(?<=[.!;]\s+)\p{L}[\p{L}'’-]+(?=\s*\Z)", 0.55),),
    flags=CASE_SENSITIVE,
    extend=_signing,
)


# Organisms that notes name by an initial and a species: "E. coli", "S. aureus", "C. diff".
_SPECIES = frozenset(
    "coli aureus diff difficile dif pylori epi epidermidis pneumoniae pneumo aeruginosa faecalis faecium albicans "
    "glabrata marcescens cloacae tuberculosis influenzae mirabilis fragilis maltophilia baumannii viridans "
    "jeikeium lugdunensis acnes perfringens septicum".split()
)


def _surname_of_initial(value: str) -> tuple[int, int] | None:
    """An initial and a surname: a census surname that is no common word, or a word rare in
    English that is no drug, organism or term; after "R." and "L." (right and left: "L.
    SUBCLAVIAN") and the letters that head a note's parts ("S. INTUBATED", "P. ANTIBX") a census
    surname only."""
    initial, word = value[0], value.rsplit(".", 1)[1].strip()
    key = word.lower().rstrip("'’-")
    letters = key.replace("'", "").replace("’", "").replace("-", "")
    if len(letters) < 3 or not letters.isalpha() or key in stop_words() or key in NOT_NAMES:
        return None
    if key in _SPECIES or is_drug_name(key) or key.endswith(_MEDICAL_SUFFIXES):
        return None
    frequency = zipf(key)
    listed = key in person_names() and frequency < 4.0
    if initial.lower() in "rlsoapi" and not (listed and frequency < 3.0):
        return None  # right and left ("L. Vent"), a note's S/O/A/P headings, I/O
    if listed or frequency < 2.5 or (key.startswith(("o'", "o’", "mc", "mac")) and frequency < 4.0):
        return 0, len(value)
    return None


# A person by an initial and a surname, in any case: "PER W. MAROTTA", "nsg (d. renna and j.
# o'brien)", "Reported to D. Phyl", "q. lander rrt". Not "p.o.", "U/O. PAP'S" or "U.S. Army" (a
# letter, slash or period before the initial), nor "this a.m. hypoxic" (initials run together).
INITIAL_SURNAME = PatternSpec(
    "auditor.INITIAL_SURNAME",
    "PERSON",
    (("initial and surname", r"(?<![\p{L}\d.'’/])\p{L}\.(?:[ \t]\p{L}\.)?[ \t]\p{L}[\p{L}'’-]+", 0.55),),
    flags=CASE_SENSITIVE,
    refine=_surname_of_initial,
)


# The person told or who signs, named before what nursing notes say of them: "W. MAROTTA
# AWARE", "dr rizzo notified", "PER WARREN KAVALIUNAS NP". The census decides in upper and
# lower case.
NAME_BEFORE_ROLE = PatternSpec(
    "auditor.NAME_BEFORE_ROLE",
    "PERSON",
    (
        (
            "name made aware",
            rf"\b{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,2}}"
            r"(?=[ \t]+(?:aware|notified|paged|made[ \t]+aware|informed)\b)",
            0.55,
        ),
        # What a visitor or a caller does: "bob visited", "george called", "CARROLL ANNE HAS PHONED".
        (
            "name who calls or visits",
            rf"\b{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?"
            r"(?=[ \t]+(?:called|visited|phoned|has[ \t]+phoned|came[ \t]+in|was[ \t]+updated|is[ \t]+speaking)\b)",
            0.55,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    keywords=(
        "aware",
        "notified",
        "paged",
        "informed",
        "called",
        "visited",
        "phoned",
        "came in",
        "updated",
        "speaking",
    ),
    refine=lambda value: _trailing_names(value, cased_ok=False),
)

# A family by its surname: "KEEP ROMERO FAMILY AWARE", "the okafor family" (its own recognizer:
# inside NAME_BEFORE_ROLE, Presidio's de-duplication let "ROMERO FAMILY AWARE" hide it).
FAMILY_NAME = PatternSpec(
    "auditor.FAMILY_NAME",
    "PERSON",
    (("surname of a family", rf"\b{_NAME_TOKEN}(?=[ \t]+family\b)", 0.55),),
    flags=IGNORECASE_MULTILINE,
    keywords=("family",),
    refine=lambda value: _trailing_names(value, cased_ok=False),
)


def _leading_first_name(value: str) -> tuple[int, int] | None:
    """The leading names of ``value`` if the first is a census first name ("PER DAVID"; not
    "PER RISS", a census surname and a sliding scale)."""
    found = _leading_names(value, cased_ok=False)
    if found is None or value.split()[0].lower().strip(".,") not in first_names():
        return None
    return found


# Who a note says it heard from or spoke with: "PER DAVID, HE HAS BEEN", "case manager spoke
# with suzette". "per md", "spoke with family": only a census first name is taken.
NAME_IN_NOTE = PatternSpec(
    "auditor.NAME_IN_NOTE",
    "PERSON",
    (
        ("per whom", rf"(?<=\bper[ \t]+){_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?", 0.55),
        (
            "spoken with",
            rf"(?<=\b(?:spoke|spoken|talked|speaking|met)[ \t]+(?:w/|with|to)[ \t]+)"
            rf"{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?",
            0.55,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    keywords=("per", "spoke", "spoken", "talked", "speaking", "met"),
    refine=lambda value: _leading_first_name(value),
)
# Behind a role that a person fills, as behind a title, a rare word is a surname too:
# "CASEWORKER LEONA LABOWICH", "social worker Amy Trent".
ROLE_NAME = PatternSpec(
    "auditor.ROLE_NAME",
    "PERSON",
    (
        (
            "role and name",
            rf"(?<=\b(?:case[ \t]*worker|case[ \t]+manager|social[ \t]+worker|chaplain|interpreter)[ \t]+)"
            rf"{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,2}}",
            0.6,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    keywords=("case", "worker", "chaplain", "interpreter"),
    refine=lambda value: _leading_names(value, cased_ok=False, rare_ok=True),
)
# Before a credential a rare word is a surname too ("KAVALIUNAS NP").
NAME_BEFORE_CREDENTIAL = PatternSpec(
    "auditor.NAME_BEFORE_CREDENTIAL",
    "PERSON",
    (
        (
            "name before a credential",
            # Not "frothy secretions. MD ordered": a sentence ends before the credential.
            rf"\b{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,2}}"
            rf"(?<!\p{{L}}{{2}}\.)(?=(?:,[ \t]*|[ \t]+)(?-i:{_CREDENTIAL})\b)",
            0.55,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    gate=rf"\b(?:{_CREDENTIAL})\b",
    refine=lambda value: _trailing_names(value, cased_ok=False, rare_ok=True),
)


def _speaker(value: str) -> bool:
    """A census first name ("Nicole", "tracy"; in lower case no everyday word), or a
    capitalised word with letters outside ASCII ("Halldór", "Koppány")."""
    key = value.lower()
    if value.islower():
        return key in first_names() and zipf(key) < 4.5 and key not in _EVERYDAY_NAMES
    return key in first_names() or (not value.isascii() and value.isalpha())


# A speaker in a dialogue: "Nicole: Remember me?", 'Koppány: "Who are you?"'. Headings take the
# same shape ("Plan:", "Labs:", "Pulm:", "Heme:"), so a rare word is not taken.
SPEAKER_NAME = PatternSpec(
    "auditor.SPEAKER_NAME",
    "PERSON",
    (("speaker label", r"(?<=^[ \t]*)\p{L}\p{Ll}+(?=:[ \t]*\S)", 0.5),),
    flags=CASE_SENSITIVE,
    validate=_speaker,
)
# An address after what announces one ("lives at", "Billing address:"), in any country's form:
# the line, and the short lines under it that hold a number or a place ("LAPPEENRANTA",
# "Estonia 62488"), up to a blank line. Units and military addresses stand alone.
ADDRESS_BLOCK = PatternSpec(
    "auditor.ADDRESS_BLOCK",
    "LOCATION",
    (
        (
            "announced address",
            r"(?<=\b(?:address(?:\s+is)?|addr\.?|lives\s+at|living\s+at|resides\s+at|located\s+at|office\s+is\s+at"
            r"|ship\s+to|mail\s+to|deliver\s+to)\b\s*:?[ \t]*\n?[ \t]*)"
            r"(?=[\p{L}\d#])[^\n!?;]{0,80}?(?:\n[ \t]*(?:[^\n]{0,40}\d[^\n]{0,40}|\p{Lu}[^\n]{0,40}))*"
            r"(?=[.!?;]?[ \t]*(?:\n[ \t]*\n|\n?\Z|[.!?;][ \t]))",
            0.6,
        ),
        ("unit", r"\b(?:Apt\.?|Apartment|Suite|Ste\.?|Unit)[ \t]*#?[ \t]*\d{1,5}[A-Z]?\b", 0.5),
        (
            "military address",
            r"\b(?:PSC|Unit|CMR)[ \t]+\d{3,5},?[ \t]+Box[ \t]+\d{2,5}(?:\s+(?:APO|FPO|DPO)[ \t]+A[AEP][ \t]+\d{5})?",
            0.6,
        ),
    ),
    flags=CASE_SENSITIVE,
    # An address has a number and a capitalised word ("28245 Puruntie 82"): not "associated with".
    validate=lambda value: any(ch.isdigit() for ch in value) and regex.search(r"\p{Lu}", value) is not None,
)

# Numbers behind their label, whatever their country's format or checksum ("Phone: (99) 645-791",
# "Pager 83554", "my card 4131034282458809939", "ZIP: 3520"): Presidio's recognizers want a
# valid number in a known format; a prompt or a note gives whatever the person typed.
LABELLED_NUMBER_PHONE = PatternSpec(
    "auditor.LABELLED_PHONE",
    "PHONE_NUMBER",
    (
        (
            "labelled phone",
            r"(?<=\b(?:phone|tel|telephone|mobile|cell|cellphone|fax|pager|pg|beeper|call\s+me\s+(?:on|at)"
            r"|reach\s+me\s+(?:on|at)|answering\s+at|text\s+me\s+at|messages\s+to)\.?\s*(?:#|number|no\.?)?"
            r"\s*[:#]?\s*)\+?\(?\d[\d ()./-]{3,18}\d\b",
            0.6,
        ),
        # Where a number is reached, with a number of the North American shape: "Home
        # 301-680-6286 Office 410-164-4517" (an exchange that starts with 1 is no valid one,
        # which is why Presidio's recognizer leaves it).
        (
            "phone of a place",
            r"(?<=\b(?:home|office|work|house|daytime|evening)\s*[:#]?\s*)\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b",
            0.6,
        ),
    ),
    validate=lambda value: sum(ch.isdigit() for ch in value) >= 5,
)
# A pager or an extension is dialled with four to six digits: "Pager: #54321", "PG 33445",
# "beeper number 55037", "ext. 4471". Only behind such a label is a short number a phone.
PAGER = PatternSpec(
    "auditor.PAGER",
    "PHONE_NUMBER",
    (
        (
            "pager or extension",
            r"(?<=\b(?:pager|pg|beeper|bpr|ext|extension)\.?\s*(?:#|number|no\.?)?\s*[:#]?\s*#?)\d{4,6}\b"
            r"(?![.,/:]\d)",
            0.6,
        ),
    ),
    keywords=("pager", "pg", "beeper", "bpr", "ext"),
)
LABELLED_CARD = PatternSpec(
    "auditor.LABELLED_CARD",
    "CREDIT_CARD",
    (
        (
            "labelled card number",
            r"(?<=\bcard\s*(?:number|no\.?|#)?\s*(?:is\s+)?[:#]?\s*)\d(?:[ -]?\d){11,18}\b",
            0.6,
        ),
    ),
    keywords=("card",),
)
LABELLED_POSTCODE = PatternSpec(
    "auditor.LABELLED_POSTCODE",
    "ZIP_CODE",
    (
        (
            "labelled postcode",
            r"(?<=\b(?:zip|zip\s*code|postcode|postal\s+code|post\s+code|plz)\s*(?:is\s+)?[:#]?\s*)"
            r"\d{3,5}(?:[- ]\d{2,4})?\b",
            0.6,
        ),
    ),
    keywords=("zip", "post", "plz"),
)

# A street line in the European and Latin American form, name then number ("Puruntie 82",
# "Rua do Arenque 1634", "Søndergade 52"), after a house or postal number, and the short lines
# under it (a unit, a town, a country with its postcode). The street name must read as one:
# a street word of its language, letters outside ASCII, or a word rare in English.
_STREET_WORD = regex.compile(
    r"(?i:\w*(?:vej|gade|gatan|gata|katu|tie|strasse|straße|str\.|weg|laan|straat|gasse|utca|ulica|ul\.|allee"
    r"|plein|platz|torget|vägen|veien|kuja|polku|rinne|tér|út|u\.)\b|\b(?:rua|calle|via|avenida|av\.|rue|travessa"
    r"|largo|camino|carrera|viale|piazza|strada|cesta)\b)"
)
# The house number ends the line, a clause or the sentence: not "rales 1/3", "PEEP 5 and".
_STREET_LINE = (
    r"\b\d{1,6}[ \t]+(?:\p{L}[\p{L}'’.-]*[ \t]+){0,3}\p{L}[\p{L}'’.-]*[ \t]+\d{1,5}[A-Za-z]?\b\.?"
    r"(?=[ \t]*(?:,|\n|\Z|(?i:st|suite|ste|apt|apartment|unit)\b|\.(?:\s|\Z)))"
)


def _street_like(value: str) -> bool:
    words = regex.findall(r"\p{L}[\p{L}'’.-]*", value.split("\n")[0])
    if not words or all(w.isupper() for w in words):
        return False  # a shouted note ("30 PCWP 30"), not a street
    lowered = [w.lower().strip(".") for w in words]
    if any((w in stop_words() and w not in _STREET_PARTICLES) or w in _UNITS or is_drug_name(w) for w in lowered):
        return False  # "120 mg lasix at 2200", "2 or Quartermain 3"
    return (
        _STREET_WORD.search(" ".join(words)) is not None
        or not all(w.isascii() for w in words)
        or min(zipf(w.lower().strip(".")) for w in words) < 2.0
    )


_STREET_PARTICLES = frozenset("do da de di du la le del della dos das van von der den ter via".split())
_UNITS = frozenset("mg mcg ml cc hr hrs h min units unit tab tabs x iv po sq psv peep".split())

STREET_BLOCK = PatternSpec(
    "auditor.STREET_BLOCK",
    "LOCATION",
    (
        (
            "street line and the lines under it",
            _STREET_LINE + r"(?:[ \t]*\n[ \t]*(?:[^\n]{0,40}\d[^\n]{0,20}|\p{Lu}[^\n]{0,30})"
            r"|[ \t]*\n[ \t]*\n[ \t]*[^\n]{0,40}\d[^\n]{0,20})*",
            0.6,
        ),
    ),
    flags=CASE_SENSITIVE,
    validate=_street_like,
)


_MONTHS_AND_DAYS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


def _place_after_preposition(value: str) -> tuple[int, int] | None:
    """The longest run of the first one to three words of ``value`` that names a city or a US
    county (GeoNames), below state level; written as a name ("in Towson", "from Montreal") a
    place may be a word English uses now and then, in upper or lower case ("lives in
    catonsville") it must be a word English rarely uses."""
    from auditor.detectors.filters import regions

    words = value.split()
    for n in range(min(3, len(words)), 0, -1):
        name = " ".join(words[:n]).rstrip(".,")
        key = name.lower()
        if key not in place_names() or key in regions() or key in _MONTHS_AND_DAYS or key in stop_words():
            continue
        if n == 1 and len(key) < 4:
            return None  # "OSH" (outside hospital), not Osh in Kyrgyzstan
        cased = all(w[:1].isupper() and w[1:].islower() for w in name.split())
        # "Montreal" 4.1, not "Ward" 4.4; in one case "catonsville" 2.0, and a place that is
        # no surname a little more common: "ROCKVILLE" 3.1, "annapolis" 3.2 (not "colon").
        if zipf(key) < (4.2 if cased else 2.5 if key in person_names() or is_drug_name(key) else 3.3):
            return 0, len(name)
        return None
    return None


# A city or county after the word that places someone or something in it: "lives in
# Catonsville", "transferred from Towson", "a tournament in Montreal", "cut off in Compton". The
# small NER model calls many of them organisations or nothing.
PLACE_AFTER_PREPOSITION = PatternSpec(
    "auditor.PLACE_AFTER_PREPOSITION",
    "LOCATION",
    (
        (
            "place after a preposition",
            r"(?<=\b(?:in|at|from|near|to|outside|around|of|lives[ \t]+in|living[ \t]+in|resides[ \t]+in)[ \t]+)"
            r"\p{L}[\p{L}'’.-]+(?:[ \t]\p{L}[\p{L}'’.-]+){0,2}",
            0.55,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    refine=_place_after_preposition,
)


_WORD_RUN = regex.compile(r"[^ \t\n]+")


def _leading_place(value: str, is_place: Callable[[str], bool]) -> tuple[int, int] | None:
    """The longest run of the first one to three words of ``value`` that ``is_place`` accepts
    (its trailing punctuation left out), as (start, end) within ``value``; whatever space
    stands between the words."""
    words = list(_WORD_RUN.finditer(value))
    for n in range(min(3, len(words)), 0, -1):
        name = value[: words[n - 1].end()].rstrip(".,;:!?")
        if name and is_place(name):
            return 0, len(name)
    return None


def _everyday_or_odd(word: str) -> bool:
    """A word no place name is: a stop word, a month or a day, an organisation's word
    ("Corporation"), a file or module name ("utils.py"), or an acronym of up to five capitals
    (a ward: "MICU", "PACU")."""
    key = word.lower().strip(".,'’")
    return (
        key in stop_words()
        or key in _MONTHS_AND_DAYS
        or key in _ORG_WORDS
        or "." in word.strip(".")
        or any(ch.isdigit() or ch == "_" for ch in word)
        or (word.isupper() and len(word) <= 5)
    )


def _rare_town_words(name: str) -> bool:
    """Words English rarely uses, which a town too small for GeoNames is: written as a name
    rarer than Zipf 3.9 ("Edgemere"), in one case rarer than 2.5 ("rockport"; not "squalor")."""
    words = name.split()
    if any(_everyday_or_odd(w) for w in words) or len(name) < 4:
        return False
    limit = 3.9 if is_cased_name(name) else 2.5
    return all(zipf(w.lower().strip(".,'’")) < limit for w in words)


def _is_residence(name: str) -> bool:
    """A state or a country, a GeoNames place, or a town too small for GeoNames."""
    key = name.lower()
    return key in regions() or key in place_names() or _rare_town_words(name)


# Where someone lives, said of a person: after "he lives in", "i live in", "pt resides in",
# "currently lives in" any town, however small ("lives nearby in rockport", "i live in the
# nederlands"), and a state or a country in lower case ("i live in canada"). What lives in
# something else is no place ("the cache lives in Redis"). PLACE_AFTER_PREPOSITION reads the
# places GeoNames lists after any "lives in".
PLACE_OF_RESIDENCE = PatternSpec(
    "auditor.PLACE_OF_RESIDENCE",
    "LOCATION",
    (
        (
            "where someone lives",
            rf"(?<=\b(?:i|we|he|she|they|who|pt|patient|family|currently|still|now|also|{_RELATION})[ \t]+"
            r"(?:live|lives|lived|living|resides|resided|residing)(?:[ \t]+(?:nearby|now|currently|still))?"
            r"[ \t]+(?:in|near)[ \t]+(?:the[ \t]+)?)(?!the\b)\p{L}[\p{L}'’.-]+(?:[ \t]+\p{L}[\p{L}'’.-]+){0,2}",
            0.55,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    keywords=("liv", "resid"),
    refine=lambda value: _leading_place(value, _is_residence),
)

_PLACE_KIND = (
    r"(?:village|town|city|hamlet|suburb|municipality|commune|(?:civil[ \t]+)?parish|county|district|borough"
    r"|township|neighbou?rhood)"
)
_CAPITALISED = r"(?-i:\p{Lu})[\p{L}'’.-]+(?:[ \t]+(?-i:\p{Lu})[\p{L}'’.-]+){0,2}"


def _is_named_place(name: str) -> bool:
    """Capitalised words, none an everyday or organisation's word ("Westminster", not
    "Westminster Council"); one word alone must be rare in English, a little less so if GeoNames
    lists it ("Mece", not "God" or "Normal", which are places too)."""
    words = name.split()
    if any(_everyday_or_odd(w) or not w[:1].isupper() for w in words) or len(name) < 3:
        return False
    key = name.lower().strip(".,'’")
    return len(words) > 1 or zipf(key) < (4.5 if key in place_names() else 3.9)


def _place_named_by_kind(value: str) -> tuple[int, int] | None:
    """The place's name at the start of ``value``, cut where a sentence ends ("near the hamlet
    of Oxbridge Mill. Pt on lasix")."""
    sentence_end = regex.search(r"\p{L}{4,}\.(?=\s|$)", value)
    head = value[: sentence_end.end() - 1] if sentence_end else value
    return _leading_place(head, _is_named_place)


# A place that the text says is one, below state level (Safe Harbor's "all geographic
# subdivisions smaller than a state"): "the village of Mece", "north of Whitebirk", "Atwick is
# a village and civil parish". The small NER model calls many of them organisations or nothing.
PLACE_BY_KIND = PatternSpec(
    "auditor.PLACE_BY_KIND",
    "LOCATION",
    (
        ("a kind of place, then its name", rf"(?<=\b{_PLACE_KIND}[ \t]+of[ \t]+){_CAPITALISED}", 0.55),
        (
            "a direction from a place",
            rf"(?<=\b(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west|outskirts)[ \t]+of[ \t]+)"
            rf"{_CAPITALISED}",
            0.55,
        ),
        (
            "a place, then its kind",
            rf"(?<![\p{{L}}'’.-]){_CAPITALISED}"
            rf"(?=[ \t]+(?:is|was)[ \t]+an?[ \t]+(?:small[ \t]+|large[ \t]+)?{_PLACE_KIND}\b)",
            0.55,
        ),
    ),
    flags=IGNORECASE_MULTILINE,
    keywords=(
        "village",
        "town",
        "city",
        "hamlet",
        "suburb",
        "municipality",
        "commune",
        "parish",
        "county",
        "district",
        "borough",
        "neighbo",
        "north",
        "south",
        "east",
        "west",
        "outskirts",
    ),
    refine=_place_named_by_kind,
)

# A street named first and numbered after, with no house or postal number before it to anchor
# it ("enter on Sludevej 13", "Timotea lives on Via dei Fiorentini 17", "ul. Miła 53"): the
# name must hold a street word of its language, so "Room 12" or "Gate 4" is no street. And the
# French and Latin form, number then street type then name ("69 Av Sidi Lakhmi", "17 Rue de la
# Paix"), which the US pattern (street type last) never reads.
_STREET_SUFFIX = (
    r"(?i:vej|gade|gatan|gata|katu|tie|strasse|straße|weg|laan|straat|gasse|utca|allee|plein|platz"
    r"|vägen|veien|kuja|polku|baan|útja|út|ulica)"
)
_STREET_PREFIX = (
    r"(?:Via|Viale|Piazza|Rua|Calle|Avenida|Av\.?|Avda\.?|Rue|ul\.|Ul\.|Ulica|Travessa|Largo|Carrer|Strada)"
)
_PARTICLE = r"(?:de|dei|del|della|da|do|dos|das|di|du|des|la|le|l'|d')"
_NAME_WORD = r"\p{Lu}[\p{L}'’.-]*"
_NUMBER_AFTER = r"[ \t]+\d{1,5}[A-Za-z]?\b\.?(?![\d/:.-]\d)"
_BARE_STREET_WORD = regex.compile(rf"{_STREET_SUFFIX}")


def _street_named(value: str) -> bool:
    """Written as a street name is: capitalised, no drug in it, and a bare street word ("Tie",
    "Weg") only after a name ("Nieuwe Baan 473"; not "tie 3 knots")."""
    words = regex.findall(r"\p{L}[\p{L}'’.-]*", value)
    if not words or not value.lstrip("0123456789 \t,").strip()[:1].isupper():
        return False
    if any(is_drug_name(w.lower()) for w in words):
        return False
    return not (len(words) == 1 and _BARE_STREET_WORD.fullmatch(words[0]))


STREET_NAME_NUMBER = PatternSpec(
    "auditor.STREET_NAME_NUMBER",
    "LOCATION",
    (
        (
            "street word and number",
            rf"(?<![\p{{L}}\d'’-])(?:{_NAME_WORD}[ \t]+(?:\p{{Ll}}+[ \t]+){{0,2}})?"
            rf"\p{{L}}*{_STREET_SUFFIX}{_NUMBER_AFTER}",
            0.6,
        ),
        (
            "street type, name and number",
            rf"(?<![\p{{L}}\d'’-]){_STREET_PREFIX}[ \t]+(?:{_PARTICLE}[ \t]*)*{_NAME_WORD}"
            rf"(?:[ \t]+(?:{_PARTICLE}[ \t]+)*{_NAME_WORD}){{0,3}}{_NUMBER_AFTER}",
            0.6,
        ),
        (
            "number, street type and name",
            rf"\b\d{{1,5}}(?:[ \t]?(?:bis|ter))?,?[ \t]+"
            rf"(?:{_STREET_PREFIX}|Avenue|Boulevard|Bd\.?|Chemin|Allée|Impasse|Quai)"
            rf"[ \t]+(?:{_PARTICLE}[ \t]*)*{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*{_NAME_WORD}){{0,3}}",
            0.6,
        ),
    ),
    flags=CASE_SENSITIVE,
    validate=_street_named,
)

# A post office box is a postal address: "P.O. Box 242", "PO Box 104", "Post Office Box 17".
PO_BOX = PatternSpec(
    "auditor.PO_BOX",
    "LOCATION",
    (("post office box", r"\b(?:P\.?[ \t]?O\.?[ \t]*Box|Post[ \t]+Office[ \t]+Box)[ \t]*#?[ \t]*\d{1,7}\b", 0.6),),
    keywords=("box",),
)


def _postcode_after_region(value: str) -> tuple[int, int] | None:
    """The number after a country or state that ends an address line ("Norway 64389",
    "New Zealand 15896"), not a year ("Germany 1990")."""
    from auditor.detectors.filters import regions

    place, _, number = value.rpartition(" ")
    place = place.strip(" \t")
    words = place.split()
    for i in range(len(words)):  # the longest place name that ends before the number
        if " ".join(words[i:]).lower() in regions():
            break
    else:
        return None
    digits = number.replace("-", "")
    if len(number) == 4 and number.isdigit() and 1900 <= int(number) <= 2099:
        return None
    if not 4 <= len(digits) <= 8:
        return None
    return len(value) - len(number), len(value)


POSTCODE_AFTER_REGION = PatternSpec(
    "auditor.POSTCODE_AFTER_REGION",
    "ZIP_CODE",
    (
        (
            "postcode after a country",
            r"\b\p{Lu}[\p{L}.]+(?:[ \t]+\p{Lu}[\p{L}.]+){0,2}[ \t]+\d{3,6}(?:-\d{3,4})?"
            r"(?=[ \t]*(?:[\n,;>|)]|\Z|\.(?:\s|\Z)))",
            0.6,
        ),
    ),
    flags=CASE_SENSITIVE,
    refine=_postcode_after_region,
)

SPECS = (
    FACILITY_ANY_CASE,
    STREET_NAME_NUMBER,
    PO_BOX,
    PLACE_AFTER_PREPOSITION,
    PLACE_OF_RESIDENCE,
    PLACE_BY_KIND,
    POSTCODE_AFTER_REGION,
    PLACE_OF_CARE_ANY_CASE,
    HOSPITAL_INITIALS,
    WARD_NAME,
    STREET_BLOCK,
    LABELLED_NUMBER_PHONE,
    PAGER,
    LABELLED_CARD,
    LABELLED_POSTCODE,
    SPEAKER_NAME,
    ADDRESS_BLOCK,
    DATE,
    AGE_OVER_89,
    LABELLED_ID,
    LABELLED_SSN,
    FACILITY,
    TITLED_NAME,
    SLOT_NAME,
    SIGNATURE_NAME,
    NAME_IN_SENTENCE,
    NAME_BEFORE_ROLE,
    FAMILY_NAME,
    NAME_BEFORE_CREDENTIAL,
    NAME_IN_NOTE,
    ROLE_NAME,
    NAME_IN_LIST,
    FIRST_NAME,
    FULL_NAME,
    RARE_FULL_NAME,
    LOWER_CASE_NAME,
    INITIAL_SURNAME,
    HOSPITAL_NAME,
    PART_OF_A_STATE,
    SIGNED_FIRST_NAME,
)
