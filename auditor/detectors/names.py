"""A name found once is a name wherever else its text says it again.

Writers name a person in full once and then by one part: "Maciej Borkowski ... starring
Borkowski", "Dr. Hauser ... Hauser was put under arrest", "PT JOHN ... JOHN ate lunch". The
later mention stands where no title or slot announces it, so the rules that found the first one
cannot find it; the de-identification systems built for clinical notes (Neamatullah et al.
2008) carry a found name over to the rest of the note the same way.

A word carries over when it is part of a reported name, three letters or more, no stop word or
title, and not a common English word (Zipf 4.5 and over: "Will", "Grace", "White"); a word that
English uses now and then (Zipf 3.5 to 4.5: "Hunter", "Key") carries over only where it is
written as a name is (capitalised) or was found in lower case itself.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

import regex

from auditor.detectors.engine import Span

REPEATED_NAME = "auditor.REPEATED_NAME"
REPEATED_PLACE = "auditor.REPEATED_PLACE"
LISTED_NAME = "auditor.LISTED_NAME"
_WORD = regex.compile(r"[\p{L}][\p{L}'’-]*")
_NOT_CARRIED = frozenset(
    "dr drs doctor mr mrs ms miss mx nurse prof professor sister brother father mother rev pt patient "
    "son daughter wife husband mom dad aunt uncle".split()
)
# Rules that find a name by the slot it stands in (a title, a relation, a signature), sure of
# a one-word name in a way that an NER guess or a lexicon match is not.
_SLOT_RULES = (
    "auditor.LABELLED_NAME",
    "auditor.TITLED_NAME",
    "auditor.SLOT_NAME",
    "auditor.SIGNATURE_NAME",
    "auditor.NAME_IN_SENTENCE",
    "auditor.SPEAKER_NAME",
    "auditor.NAME_BEFORE_ROLE",
    "auditor.FAMILY_NAME",
    "auditor.NAME_BEFORE_CREDENTIAL",
    "auditor.NAME_IN_NOTE",
    "auditor.ROLE_NAME",
    "auditor.SIGNED_FIRST_NAME",
)
COMMON_ZIPF = 4.5  # "will", "grace", "white": never carried over
OCCASIONAL_ZIPF = 3.5  # "hunter", "key": carried over only where written as a name


def _name_word(word: str) -> bool:
    """Whether one word of a found name is surely a name: a census first name that is no
    common English word, a census surname that is no English word at all, a word with letters
    outside ASCII, or a capitalised word rare in English that is no drug ("Borkowski",
    "Hakuba"; not "Neo", "Hct", "Repeat", "Ledger")."""
    from auditor.detectors.filters import is_drug_name
    from auditor.detectors.lexicons import first_names, person_names, zipf

    key = word.lower()
    if is_drug_name(key) or (word.isupper() and len(word) <= 4):
        return False
    if not word.isascii():
        return True
    frequency = zipf(key)
    if key in first_names() and frequency < COMMON_ZIPF:
        return True
    if key in person_names() and frequency < 3.0:
        return True  # a surname that is no word of English: "Hauser", not "Ledger"
    # A rare word in upper or lower case is as often shorthand ("EXTUBATION", "abg"), and a
    # capitalised one a term ("Triage").
    return word[:1].isupper() and any(ch.islower() for ch in word) and frequency < 2.5


def _carried_words(text: str, names: Iterable[Span]) -> dict[str, bool]:
    """Lower-cased words to carry over, each with whether a lower-case mention counts."""
    from auditor.detectors.lexicons import stop_words, zipf

    words: dict[str, bool] = {}
    for span in names:
        parts = []
        for match in _WORD.finditer(text, span.start, span.end):
            word = match.group().rstrip("'’-")
            parts.append(word[:-2] if word.endswith(("'s", "’s")) else word)
        named = [w for w in parts if len(w) >= 3 and w.lower() not in _NOT_CARRIED and w.lower() not in stop_words()]
        if span.detector == "auditor.RARE_FULL_NAME":
            continue  # two rare capitalised words are as often a firm ("Kestrel Schweiz")
        if not span.detector.startswith(_SLOT_RULES):
            # A guess of the NER or a lexicon: only a full name whose every word is surely a
            # name spreads ("Maciej Borkowski"; not "Restarted Neo", "Repeat Hct").
            if len(parts) < 2 or not all(_name_word(w) or len(w.rstrip(".")) == 1 for w in parts):
                continue
        for word in named:
            key = word.lower()
            frequency = zipf(key)
            if frequency >= COMMON_ZIPF or not _name_word(word):
                continue  # _name_word also refuses abbreviations: "SBP", "IABP"
            lower_ok = frequency < OCCASIONAL_ZIPF or word.islower()
            words[key] = words.get(key, False) or lower_ok
    return words


def _mentions(words: Iterable[str], after: str) -> regex.Pattern[str]:
    """Mentions of any of ``words`` in any case, each a whole word (the longest first), and
    followed by what ``after`` allows."""
    alternatives = "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))
    return regex.compile(r"(?<![\p{L}\d'’-])(?:" + alternatives + ")" + after, regex.IGNORECASE)


def repeated_names(text: str, names: list[Span], taken: list[Span]) -> list[Span]:
    """Other mentions in ``text`` of the words of ``names`` (reported person names), outside
    the spans already ``taken``; each scored as the weakest name it comes from."""
    if not names:
        return []
    words = _carried_words(text, names)
    if not words:
        return []
    score = min(span.score for span in names)
    pattern = _mentions(words, r"(?![\p{L}\d-])")
    occupied = sorted((span.start, span.end) for span in taken)  # they never overlap
    starts = [s for s, _ in occupied]
    found: list[Span] = []
    for match in pattern.finditer(text):
        start, end = match.span()
        value = match.group()
        if value.islower() and not words[value.lower()]:
            continue
        i = bisect.bisect_left(starts, end)
        if i and occupied[i - 1][1] > start:
            continue
        found.append(Span(start, end, "PERSON", REPEATED_NAME, score))
    return found


# The rules that find a place of care by its name, whose rare words name it wherever the note
# says them again: "TRANSFER TO QUARTERMAIN 2 ... F-MICU/QUARTERMAIN/CCU TEAMS".
# Not a place after a verb of care ("sent to angio", "back to afib"), which that rule guesses too
# often, unless a ward's number follows it.
_PLACE_RULES = ("auditor.WARD_NAME", "auditor.FACILITY_ANY_CASE", "auditor.HOSPITAL_NAME")
_PLACE_WORD = regex.compile(r"\p{L}{4,}")
_WARD_NUMBER = regex.compile(r"[ \t]+\d\b(?![-./:]\d)")


def repeated_places(text: str, places: list[Span], taken: list[Span]) -> list[Span]:
    """Other mentions in ``text`` of the rare words (Zipf under 3: "Quartermain", "Keeley"; not
    "Cross", "Regional") of the places of care that ``places`` holds, outside the spans
    already ``taken``; each scored as the weakest place it comes from."""
    from auditor.detectors.filters import RARE_WORD_ZIPF, is_drug_name
    from auditor.detectors.lexicons import zipf

    sources = [
        span
        for span in places
        if span.detector in _PLACE_RULES
        or (span.detector == "auditor.PLACE_OF_CARE" and _WARD_NUMBER.match(text, span.end))  # "TO TRELAWNEY 4"
    ]
    words = {
        match.group().lower()
        for span in sources
        for match in _PLACE_WORD.finditer(text, span.start, span.end)
        if zipf(match.group().lower()) < RARE_WORD_ZIPF and not is_drug_name(match.group())
    }
    if not words:
        return []
    score = min(span.score for span in sources)
    pattern = _mentions(words, r"(?![\p{L}\d'’-])")
    return [
        Span(match.start(), match.end(), "LOCATION", REPEATED_PLACE, score)
        for match in pattern.finditer(text)
        if not any(t.start < match.end() and match.start() < t.end for t in taken)
    ]


# A list of one or two capitalised words an item, joined by commas and a last "and", "&" or
# "or": "Morrison, Rogers and Torres", "Jared Leto , Shannon Leto , Tomo Milicevic".
_ITEM = r"\p{Lu}[\p{L}'’-]+(?:[ \t]\p{Lu}[\p{L}'’-]+)?"
_LIST = regex.compile(
    rf"(?<![\p{{L}}\d'’-]){_ITEM}(?:[ \t]*,[ \t]*{_ITEM}){{0,12}}(?:[ \t]*,)?[ \t]+(?:and|&|or)[ \t]+{_ITEM}"
    rf"(?![\p{{L}}\d'’-])"
    rf"|(?<![\p{{L}}\d'’-]){_ITEM}(?:[ \t]*,[ \t]*{_ITEM}){{2,12}}(?![\p{{L}}\d'’-])"
)
_ITEM_IN_LIST = regex.compile(_ITEM)
LISTED_ZIPF = 4.8  # "Rogers", "Adams", "Reed" are listed; "Park", "Will", "Director" are not


def _listed_item(words: list[str]) -> bool:
    """Whether an item listed beside a name can be one too: each word a census name that is no
    common English word, a word with letters outside ASCII or a word rare in English, and none a
    stop word, drug, title of office or place (a census first name may be a place: "Teresa")."""
    from auditor.detectors.filters import _ROLE_WORDS, is_drug_name, regions
    from auditor.detectors.lexicons import first_names, person_names, place_names, stop_words, zipf

    for word in words:
        key = word.lower().rstrip("'’-")
        if key in stop_words() or key in _NOT_CARRIED or key in _ROLE_WORDS or is_drug_name(key):
            return False
        if key in regions():
            return False
        frequency = zipf(key)
        if key in first_names() and frequency < COMMON_ZIPF:
            continue
        if key in place_names():
            return False
        if not (key in person_names() and frequency < LISTED_ZIPF) and not (not key.isascii() or frequency < 3.0):
            return False
    return True


def listed_names(text: str, names: list[Span], taken: list[Span]) -> list[Span]:
    """The other items of a list that a reported name stands in ("our founders: Morrison,
    Rogers and Torres", one of them found): a writer lists like with like. Items that another
    detector took, or that read as places or words, are left alone."""
    if not names:
        return []
    score = min(span.score for span in names)
    found: list[Span] = []
    for listing in _LIST.finditer(text):
        items = [m.span() for m in _ITEM_IN_LIST.finditer(text, listing.start(), listing.end())]
        items = [(s, e) for s, e in items if text[s:e] not in ("And", "Or")]
        if not any(n.start < e and s < n.end for s, e in items for n in names):
            continue
        for start, end in items:
            if any(t.start < end and start < t.end for t in taken):
                continue
            if _listed_item(text[start:end].split()):
                found.append(Span(start, end, "PERSON", LISTED_NAME, score))
    return found
