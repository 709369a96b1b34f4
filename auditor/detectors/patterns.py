"""auditor's own recognizers as data: patterns, scores, context words and checks.

Patterns are for the ``regex`` module (the one Presidio uses), which allows variable-length
look-behind: a label such as "MRN:" is required before the value but is not part of it. Such a
pattern opens with a look-ahead for how the value starts (a digit, a capital): the engine tries a
pattern at every position of the text, and the one-character test there is far cheaper than
the look-behind it spares.
Each recognizer has a stable detector id (``auditor.<ID>``) that never changes meaning.
"""

from __future__ import annotations

import re

from auditor.detectors import checks
from auditor.detectors.specs import CASE_SENSITIVE, IGNORECASE_MULTILINE, PatternSpec

__all__ = ["CASE_SENSITIVE", "IGNORECASE_MULTILINE", "SPECS", "PatternSpec", "label_of", "presidio_entities"]

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATE = (
    r"(?:\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})\b|\d{4}-\d{2}-\d{2}\b"
    rf"|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}\b|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}\b)"
)
_PERSON_DATE_LABEL = (
    r"(?:DOB|D\.O\.B\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?|admitted(?:\s+on)?"
    r"|admission(?:\s+date)?|date\s+of\s+admission|discharged(?:\s+on)?|discharge(?:\s+date)?"
    r"|date\s+of\s+discharge|died(?:\s+on)?|date\s+of\s+death|DOD|deceased(?:\s+on)?"
    r"|expired(?:\s+on)?|DOS|date\s+of\s+service|(?:specimen\s+)?collected(?:\s+on)?|collection\s+date"
    r"|(?:visit|encounter|procedure|surgery|appointment)\s+date|date\s+of\s+(?:visit|encounter|procedure|surgery))"
)
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH"
    "|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)
# A name: capitalised words (any script), with hyphens or apostrophes, an optional initial.
_WORD = r"\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?"
# Lower-case particles inside a surname: "Guadalupe de la Torre", "Ludwig van Beethoven".
_PARTICLE = r"(?:(?:de|del|della|la|le|van|von|der|den|da|di|du|dos|das|bin|ibn|ter|ten)[ \t]+)"
# A surname behind particles may be one capital: "Rodolfo de la O".
PARTICLE_SURNAME = rf"{_PARTICLE}{{1,2}}(?:{_WORD}|\p{{Lu}}\b)"
# Two or three words.
_NAME = rf"{_WORD}(?:[ \t]\p{{Lu}}\.?(?![\p{{L}}\d]))?(?:[ \t](?:{PARTICLE_SURNAME}|{_WORD})){{1,2}}"
_SURNAME_OR_NAME = rf"{_WORD}(?:[ \t]\p{{Lu}}\.?(?![\p{{L}}\d]))?(?:[ \t]{_WORD}){{0,2}}"
# Labels that introduce a person in clinical and business documents. Strong ones may stand
# without a colon ("Patient Maria Okafor"); role words need one ("Reviewer: ...").
_STRONG_NAME_LABEL = (
    r"(?i:patient(?:\s+name)?|pt|name|attending(?:\s+physician)?|surgeon|guardian|emergency\s+contact"
    r"|referred\s+by|signed\s+by|prepared\s+by|reviewed\s+by|approved\s+by|classified\s+by|dictated\s+by"
    r"|examined\s+by|authored\s+by|written\s+by|dear|attn)"
)
_ROLE_LABEL = (
    r"(?i:physician|provider|nurse|doctor|resident|case\s+manager|social\s+worker|contact|mother|father"
    r"|spouse|wife|husband|son|daughter|caregiver|referring|signed|author|employee|cc|child|infant"
    r"|witness|reviewer|approver|customer|client|member|owner|(?:test\s+|team\s+|project\s+)?lead|manager"
    r"|secretary|controller|analyst|engineer|CFO|CEO|COO|CTO|treasurer|from|to|beneficiary|payee|recipient"
    r"|account\s+holder|cardholder|borrower|applicant|insured|policyholder|subscriber|guarantor)"
)
# Organisations look like names to a pattern: these words end the match.
_NOT_A_NAME = (
    r"(?!(?:[\p{L}-]+[ \t]){0,2}(?:Committee|Team|Board|Department|Dept|Group|Inc|Ltd|LLC|Corp|Corporation"
    r"|Company|Electronics|Systems|Services|Holdings|Ledger|Office|Council|Division|Unit|Clinic|Hospital"
    r"|Center|Centre|Laboratory|Labs|Partners|Bank|University)\b)"
)
_CREDENTIAL = r"(?:MD|DO|RN|NP|PA-C|PA|LCSW|PhD|PharmD|MBBS|FACP|DDS|CPA|CNM|APRN|CRNA)"
# Street suffixes of USPS Publication 28, appendix C1 (common ones and their abbreviations).
_STREET_TYPE = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Terrace|Ter|Place|Pl|Way"
    r"|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Square|Sq|Loop|Row|Pike|Alley|Bypass|Camp|Canyon|Cape"
    r"|Bluffs?|Bottom|Branch|Bridge|Brooks?|Burgs?|Centers|Circles|Crossroad|Fall|Freeways|Junctions|Pines"
    r"|Causeway|Center|Cliffs?|Commons?|Corners?|Course|Courts|Cove|Coves|Creek|Crescent|Crest|Crossing|Curve"
    r"|Dale|Dam|Divide|Drives|Estates?|Expressway|Extension|Falls|Ferry|Field|Fields|Flats?|Ford|Forest|Forge"
    r"|Forks?|Fort|Freeway|Gardens?|Gateway|Glens?|Greens?|Groves?|Harbors?|Haven|Heights|Hills?|Hollow|Inlet"
    r"|Island|Islands|Isle|Junction|Keys?|Knolls?|Lakes?|Landing|Lights?|Locks?|Lodge|Mall|Manor|Meadows?"
    r"|Mews|Mills?|Mission|Motorway|Mount|Mountains?|Neck|Orchard|Oval|Overpass|Park|Parks|Pass|Path|Pines?"
    r"|Plains?|Plaza|Points?|Ports?|Prairie|Radial|Ramp|Ranch|Rapids?|Rest|Ridges?|River|Roads|Route|Run"
    r"|Shoals?|Shores?|Skyway|Springs?|Spur|Squares|Station|Stravenue|Stream|Streets|Summit|Throughway|Trace"
    r"|Track|Trafficway|Tunnel|Turnpike|Underpass|Unions?|Valleys?|Viaduct|Views?|Villages?|Ville|Vista|Walks?"
    r"|Wall|Ways|Wells?)"
)
_ID_LABEL_TAIL = r"\s*(?:number|num|no\.?|#|id)?\s*[:#]?\s*"


# Financial reporting without a JE/GL shape (SOX 302/404, Regulation FD): a confidentiality
# legend on a financial document, and a result figure in the words that say it is not public.
_LEGEND = (
    r"(?:confidential|internal(?:\s+(?:use\s+)?only)?(?!\s+revenue\s+service)|draft|pre[-\s]?release"
    r"|pre[-\s]?close|not\s+for\s+(?:external\s+|public\s+)?distribution|embargoed)"
)
_FINANCIAL_SUBJECT = (
    r"(?:financial\s+(?:statements?|results|package|report)|financials|P\s?&\s?L|income\s+statement"
    r"|balance\s+sheet|cash[-\s]flow\s+statement|earnings(?:\s+(?:release|deck|script))?"
    r"|10-[KQ]|8-K|(?:quarterly|annual|Q[1-4])\s+results|board\s+(?:deck|package)|close\s+package"
    r"|flash\s+(?:report|results))"
)
_UNRELEASED = (
    r"(?:draft|preliminary|unaudited|unreleased|pre[-\s]?release|pre[-\s]?announcement|flash"
    r"|not\s+yet\s+(?:public|announced|released|disclosed)|internal\s+(?:forecast|estimate)s?)"
)
_UNRELEASED_AFTER = (
    r"(?:preliminary|unaudited|unreleased|not\s+yet\s+(?:public|announced|released|disclosed)"
    r"|(?:before|ahead\s+of)\s+the\s+(?:earnings\s+)?(?:call|release|announcement)"
    r"|embargoed|confidential|internal\s+only)"
)
_RESULT_FIGURE = (
    r"(?:earnings|revenues?|EPS|net\s+income|(?:Q[1-4]|quarterly|annual|financial|FY\s?\d{2,4})\s+results|operating\s+income|guidance|(?:gross|operating"
    r"|net|EBITDA)\s+margin|margins?|EBITDA|buyback|share\s+repurchase|(?:deal|purchase|acquisition)"
    r"\s+(?:price|value|amount)|bookings)"
)
# Words that make a figure public: a filed report, a published consensus. Such a figure is no
# MNPI, whatever else the sentence says.
_PUBLIC_FIGURE = re.compile(
    r"\b(?:consensus|analysts?\s+expect|street\s+estimates?|as\s+(?:filed|reported|published)"
    r"|filed\s+(?:10-[KQ]|8-K|with\s+the\s+SEC)|publicly\s+(?:reported|disclosed|announced|released)"
    r"|press\s+release\s+(?:dated|issued|of))\b",
    re.IGNORECASE,
)


SPECS: tuple[PatternSpec, ...] = (
    # --- Names behind a label or title, which the small spaCy model often misses -----------
    PatternSpec(
        "auditor.LABELLED_NAME",
        "PERSON",
        (
            (
                "labelled name",
                rf"(?<=[ \t:*_])(?=(?i:dr|mr|mrs|ms|mx)|\p{{Lu}})"
                rf"(?<=\b{_STRONG_NAME_LABEL}[ \t]*(?::(?:\*\*|__)?)?[ \t]+|\b{_ROLE_LABEL}[ \t]*:(?:\*\*|__)?[ \t]*)"
                rf"(?:(?i:dr|mr|mrs|ms|mx)\.?[ \t]+)?{_NOT_A_NAME}{_NAME}\b",
                0.7,
            ),
            (
                "titled name",
                rf"(?=\p{{Lu}}|{_PARTICLE})(?<=\b(?:Dr|Mr|Mrs|Ms|Mx)\.?[ \t]+){_NOT_A_NAME}"
                rf"(?:{PARTICLE_SURNAME}|{_SURNAME_OR_NAME})\b",
                0.75,
            ),
            ("name with credential", rf"\b{_NAME}(?=,?[ \t]+{_CREDENTIAL}\b)", 0.75),
        ),
        flags=CASE_SENSITIVE,
    ),
    # --- Street addresses and cities: geography smaller than a state, 164.514(b)(2)(i)(B) -----
    PatternSpec(
        "auditor.ADDRESS",
        "LOCATION",
        (
            (
                "street address",
                # A number before the house number is the building's or the unit's: "17151 2450 Crown St".
                rf"\b(?:\d{{1,6}}[ \t]+)?\d{{1,6}}[ \t]+(?:[NSEW]\.?[ \t]+)?"
                rf"(?:\p{{Lu}}\p{{Ll}}+[ \t]+){{1,3}}{_STREET_TYPE}\.?"
                r"(?:,?[ \t]+(?:Unit|Apt\.?|Apartment|Suite|Ste\.?|#)[ \t]*[A-Z0-9-]+)?\b",
                0.75,
            ),
            (
                "city before state and ZIP",
                rf"\b\p{{Lu}}\p{{Ll}}+(?:[ \t]\p{{Lu}}\p{{Ll}}+){{0,2}}"
                rf"(?=,[ \t]*(?:{_STATES})[ \t]+(?:ZIP[ \t]+)?\d{{5}}\b)",
                0.7,
            ),
            # "joined from Tacoma, WA." MD, PA and MA are left out: after a comma they are far
            # more often a credential ("Ann Lee, MD") than a state.
            (
                "city before state",
                rf"(?<!,[ \t])\b\p{{Lu}}\p{{Ll}}+(?:[ \t]\p{{Lu}}\p{{Ll}}+){{0,2}}"
                rf"(?=,[ \t]*(?!MD|PA|MA)(?:{_STATES})\b(?![ \t]*\p{{Lu}}\p{{Ll}}))",
                0.6,
            ),
        ),
        flags=CASE_SENSITIVE,
    ),
    # --- HIPAA Safe Harbor identifiers, 45 CFR 164.514(b)(2)(i) ---------------------------
    PatternSpec(
        "auditor.MRN",
        "MEDICAL_RECORD_NUMBER",
        (
            (
                "labelled MRN",
                r"(?=[A-Z]{0,3}-?\d)(?<=\b(?:MRN|med(?:ical)?\.?\s*rec(?:ord)?\.?|chart|patient\s+id)"
                + _ID_LABEL_TAIL
                + r"(?:is\s+)?)[A-Z]{0,3}-?\d{5,10}\b",
                0.85,
            ),
        ),
        context=("mrn", "medical", "record", "chart"),
        keywords=("mrn", "med", "chart", "patient"),
    ),
    PatternSpec(
        "auditor.HEALTH_PLAN_ID",
        "HEALTH_PLAN_ID",
        (
            (
                "labelled member id",
                r"(?=[A-Z0-9-]*\d)(?<=\b(?:member|subscriber|beneficiary|policy|insurance|health\s+plan|medicaid"
                r"|medicare|group)\s*(?:number|num|no\.?|#|id)\s*[:#]?\s*)"
                r"[A-Z0-9][A-Z0-9-]{5,19}\b",
                0.85,
            ),
        ),
        context=("member", "subscriber", "insurance", "plan"),
        keywords=(
            "member",
            "subscriber",
            "beneficiary",
            "policy",
            "insurance",
            "health",
            "medicaid",
            "medicare",
            "group",
        ),
    ),
    PatternSpec(
        "auditor.NPI",
        "US_NPI",
        (
            ("labelled NPI", r"(?=[12]\d)(?<=\bNPI" + _ID_LABEL_TAIL + r")[12]\d{9}\b", 0.95),
            ("bare NPI", r"\b[12]\d{9}\b", 0.2),
        ),
        context=("npi", "provider", "prescriber", "attending"),
        validate=checks.npi_is_valid,
    ),
    PatternSpec(
        "auditor.DEA",
        "DEA_NUMBER",
        (
            (
                "labelled DEA",
                r"(?=[ABCDEFGHJKLMPRSTUX][A-Z9]\d)(?<=\bDEA" + _ID_LABEL_TAIL + r")[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}\b",
                0.95,
            ),
            ("DEA registration", r"\b[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}\b", 0.6),
        ),
        context=("dea", "prescriber", "registration"),
        flags=CASE_SENSITIVE,
        validate=checks.dea_is_valid,
    ),
    PatternSpec(
        "auditor.PERSON_DATE",
        "PERSON_DATE",
        (
            ("labelled date", rf"(?=\d|{_MONTH})(?<=\b{_PERSON_DATE_LABEL}\s*[:\-]?\s*(?:on\s+)?){DATE}", 0.85),
            (
                "date later in sentence",
                rf"(?=\d|{_MONTH})(?<=\b{_PERSON_DATE_LABEL}\b[^.\n\d]{{1,40}}?\bon\s+){DATE}",
                0.7,
            ),
        ),
        keywords=(
            "dob",
            "d.o.b",
            "date",
            "birth",
            "born",
            "admi",
            "discharg",
            "died",
            "dod",
            "deceased",
            "expired",
            "dos",
            "collect",
        ),
    ),
    PatternSpec(
        "auditor.ZIP",
        "ZIP_CODE",
        (
            ("state and ZIP", rf"(?=\d{{5}})(?<=\b(?:{_STATES})\s{{1,2}})\d{{5}}(?:-\d{{4}})?\b", 0.7),
            ("labelled ZIP", r"(?=\d{5})(?i:(?<=\bzip(?:\s*code)?\s*[:#]?\s*))\d{5}(?:-\d{4})?\b", 0.85),
        ),
        flags=CASE_SENSITIVE,
    ),
    PatternSpec(
        "auditor.DEVICE_ID",
        "DEVICE_ID",
        (
            (
                "labelled device identifier",
                r"(?=[A-Z0-9()\-]*\d)(?<=\b(?:serial\s*(?:number|no\.?|#)?|S/N|SN|device\s*(?:id|identifier|serial)"
                r"|UDI|IMEI|implant\s*(?:id|serial))\s*[:#]?\s*)"
                r"[A-Z0-9(][A-Z0-9()\-]{5,50}",
                0.8,
            ),
        ),
        keywords=("serial", "s/n", "sn", "device", "udi", "imei", "implant"),
    ),
    PatternSpec(
        "auditor.ACCOUNT_NUMBER",
        "ACCOUNT_NUMBER",
        (
            (
                "labelled account",
                r"(?=\d)(?<=\b(?:account|acct)\.?" + _ID_LABEL_TAIL + r")\d[\d\-]{5,18}\d\b",
                0.75,
            ),
        ),
        keywords=("account", "acct"),
    ),
    # --- Financial reporting and MNPI (SOX 302/404, Regulation FD) --------------------------
    PatternSpec(
        "auditor.MNPI_MARKING",
        "MNPI_MARKING",
        (
            (
                "MNPI marking",
                r"\b(?:material(?:ly)?\s+non[-\s]?public\s+information|MNPI|inside(?:r)?\s+information"
                r"|embargoed\s+until|pre[-\s]?release\s+earnings"
                r"|confidential\s*[-–—:]\s*(?:pre[-\s]?release|draft\s+earnings"
                r"|not\s+for\s+(?:public\s+)?(?:release|distribution)))\b",
                0.85,
            ),
            # A confidentiality legend on a financial document: the legend word and the
            # financial subject within one line, in either order ("CONFIDENTIAL - DRAFT Q3
            # financial statements", "Q3 flash P&L: internal only").
            (
                "legend before financial subject",
                rf"\b{_LEGEND}\b[^.\n]{{0,40}}?\b{_FINANCIAL_SUBJECT}\b",
                0.7,
            ),
            (
                "financial subject before legend",
                rf"\b{_FINANCIAL_SUBJECT}\b[^.\n]{{0,25}}?(?:[-–—:(\[|]\s*){_LEGEND}\b",
                0.7,
            ),
        ),
        keywords=(
            "material",
            "mnpi",
            "inside",
            "embargoed",
            "release",
            "confidential",
            "internal",
            "draft",
            "pre-close",
            "preclose",
            "pre close",
            "distribution",
        ),
        validate=lambda value: not _PUBLIC_FIGURE.search(value),
    ),
    PatternSpec(
        "auditor.UNRELEASED_EARNINGS",
        "UNRELEASED_EARNINGS",
        (
            (
                "unreleased results",
                rf"\b{_UNRELEASED}\b"
                rf"[^.\n]{{0,80}}?\b{_RESULT_FIGURE}\b"
                r"(?:[^.\n]{0,60}?(?:\$\s?\d[\d,.]*(?:\s*(?:million|billion|bn|[MB]))?\b|\b\d[\d.]*\s?%))?",
                0.7,
            ),
            # The figure first, its status after: "Q3 EPS of $1.42 is not yet public".
            (
                "figure then unreleased",
                rf"\b{_RESULT_FIGURE}\b[^.\n]{{0,40}}?(?:\$\s?\d[\d,.]*(?:\s*(?:million|billion|bn|[MB]))?|\b\d[\d.]*\s?%)"
                rf"[^.\n]{{0,60}}?\b{_UNRELEASED_AFTER}\b",
                0.7,
            ),
        ),
        keywords=(
            "draft",
            "preliminary",
            "unaudited",
            "unreleased",
            "release",
            "announcement",
            "flash",
            "not yet",
            "before the",
            "ahead of the",
            "internal",
            "embargoed",
            "confidential",
        ),
        validate=lambda value: not _PUBLIC_FIGURE.search(value),
    ),
    PatternSpec(
        "auditor.JOURNAL_ENTRY",
        "JOURNAL_ENTRY",
        (
            ("JE id", r"\bJE[-#]?\d[\d-]{2,20}\b", 0.75),
            (
                "labelled journal entry",
                r"(?=[A-Z0-9-]*\d)(?<=\bjournal\s+entry" + _ID_LABEL_TAIL + r")[A-Z0-9][A-Z0-9-]{2,20}\b",
                0.8,
            ),
        ),
        keywords=("je", "journal"),
    ),
    PatternSpec(
        "auditor.GL_ACCOUNT",
        "GL_ACCOUNT",
        (
            (
                "labelled GL account",
                r"(?=\d{4})(?<=\b(?:GL|G/L|general\s+ledger)\s*(?:account|acct\.?)?" + _ID_LABEL_TAIL + r")"
                r"\d{4,6}(?:[-.]\d{2,6}){0,3}\b",
                0.85,
            ),
            (
                "second GL account in a list",
                r"(?=\d{4})(?<=\b(?:GL|G/L|general\s+ledger)\s*(?:account|acct\.?)?"
                + _ID_LABEL_TAIL
                + r"\d{4,6}(?:[-.]\d{2,6}){0,3}\s*(?:/|,|&|and|to)\s*)\d{4,6}(?:[-.]\d{2,6}){0,3}\b",
                0.8,
            ),
        ),
        keywords=("gl", "g/l", "general"),
    ),
    # --- Export control: ITAR (22 CFR 120-130), EAR (15 CFR 730-774), CUI markings ----------
    PatternSpec(
        "auditor.ITAR_MARKING",
        "ITAR_MARKING",
        (
            # The bare acronym is a marking only beside what marks something: "ITAR-controlled",
            # "ITAR technical data", "controlled under the ITAR". "Our ITAR training" and "the
            # HIPAA, SOX and ITAR packs" name the regulation and mark nothing.
            (
                "ITAR marking",
                r"\b(?:ITAR[-\s](?:controlled|restricted)"
                r"|ITAR(?=[ \t]*[-–—:]?[ \t]*(?:technical\s+data|controlled|restricted|data|marking|export"
                r"|defen[cs]e\s+articles?)\b)"
                r"|(?<=\b(?:subject\s+to|under|pursuant\s+to|(?:controlled|restricted|regulated|governed)\s+by)"
                r"\s+(?:the\s+)?)ITAR"
                r"|International\s+Traffic\s+in\s+Arms\s+Regulations?(?:\s*\(ITAR\))?|Arms\s+Export\s+Control\s+Act"
                r"|22\s+CFR\s+(?:parts?\s+)?12\d(?:\s*[-–]\s*130)?)(?!\w)",  # not \b: "(ITAR)" ends in ")"
                0.9,
            ),
        ),
        keywords=("itar", "arms", "cfr"),
    ),
    PatternSpec(
        "auditor.EAR_MARKING",
        "EAR_MARKING",
        (
            (
                "EAR marking",
                r"\b(?:(?i:Export\s+Administration\s+(?:Regulations?|Act))|subject\s+to\s+the\s+EAR"
                r"|EAR[-\s]controlled|15\s+CFR\s+(?:parts?\s+)?7[3-7]\d(?:\s*[-–]\s*774)?)\b",
                0.9,
            ),
        ),
        flags=CASE_SENSITIVE,
        keywords=("export", "ear", "cfr"),
    ),
    PatternSpec(
        "auditor.USML_CATEGORY",
        "USML_CATEGORY",
        (
            ("USML category", r"\bUSML\s+Cat(?:egory|\.)?\s+[IVX]{1,5}\b(?:\([a-z0-9]{1,3}\))*", 0.9),
            (
                "category of the USML",
                r"\bCategory\s+[IVX]{1,5}\b(?:\([a-z0-9]{1,3}\))*\s+of\s+the\s+"
                r"(?:USML|U\.?S\.?\s+Munitions\s+List|United\s+States\s+Munitions\s+List)",
                0.9,
            ),
        ),
        keywords=("usml", "munitions"),
    ),
    PatternSpec(
        "auditor.ECCN",
        "ECCN",
        (
            (
                "labelled ECCN",
                r"(?=\d[A-E]|EAR99)(?<=\bECCN\s*[:#]?\s*)(?:\d[A-E]\d{3}(?:\.[a-z0-9]{1,3})*|EAR99)\b",
                0.95,
            ),
            ("bare ECCN", r"\b\d[A-E]\d{3}(?:\.[a-z0-9]{1,3})*\b", 0.5),
            ("EAR99", r"\bEAR99\b", 0.9),
        ),
        context=("eccn", "export", "classification", "classified", "ccl", "commerce"),
        flags=CASE_SENSITIVE,
    ),
    PatternSpec(
        "auditor.DISTRIBUTION_STATEMENT",
        "DISTRIBUTION_STATEMENT",
        # Statement A is approved for public release and is not a control marking.
        (("distribution statement", r"\bDISTRIBUTION\s+STATEMENT\s+[B-F]\b", 0.9),),
        keywords=("distribution",),
    ),
    PatternSpec(
        "auditor.CUI_EXPORT",
        "CUI_EXPORT",
        (("CUI export marking", r"\bCUI//(?:[A-Z-]+/)*(?:SP-)?EXPT\b", 0.95),),
        flags=CASE_SENSITIVE,
        keywords=("cui//",),
    ),
    PatternSpec(
        "auditor.NOFORN",
        "NOFORN",
        (("NOFORN", r"\bNOFORN\b", 0.9),),
        flags=CASE_SENSITIVE,
        keywords=("noforn",),
    ),
)


def _all_specs() -> tuple[PatternSpec, ...]:
    from auditor.detectors import safe_harbor
    from auditor.detectors.health_info import health_info_spec

    return SPECS + safe_harbor.SPECS + (health_info_spec(),)


SPECS = _all_specs()
REPORTED_ENTITY: dict[str, str] = {spec.presidio_entity: spec.entity for spec in SPECS}


def presidio_entities(entities: list[str]) -> list[str]:
    """The entity names to ask Presidio for, to get ``entities`` back."""
    wanted = set(entities)
    return list(entities) + [s.presidio_entity for s in SPECS if s.entity in wanted]


def label_of(entity: str, value: str) -> str | None:
    """The classification a marking carries, kept verbatim for policy (never an identifier)."""
    if entity == "ECCN":
        return value.upper() if value.upper() == "EAR99" else value[:5].upper() + value[5:]
    if entity == "USML_CATEGORY":
        match = re.search(r"\b([IVX]{1,5})\b", value)
        return match.group(1) if match else None
    if entity == "DISTRIBUTION_STATEMENT":
        return value.strip()[-1].upper()
    if entity in ("ITAR_MARKING", "EAR_MARKING", "CUI_EXPORT", "NOFORN", "MNPI_MARKING"):
        return " ".join(value.split())
    return None
