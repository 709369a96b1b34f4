"""Rebuild ``auditor/data/hospitals.txt`` from CMS's list of hospitals.

Source: the Centers for Medicare & Medicaid Services' "Hospital General Information" file
(Hospital Compare; a work of the US government, public domain), 4,772 hospitals; the copy read
here is the one in github.com/dshimon/HospitalLocator @589b179. Usage:

    python -m bench.hospital_names Hospital_General_Information.csv > auditor/data/hospitals.txt

A hospital's name is cut at the words that describe what kind of place it is ("Medical
Center", "Regional", "Memorial", "County", "University of"): what is left between them is how
notes call it ("Holy Cross", "Laurel", "Greater Baltimore", "Saint Agnes"). One name a line,
lower case, "st" and "st." written "saint"; two-letter words (states: "MD") are dropped; a
name that starts with its system's ("MedStar Good Samaritan") is kept without it too ("Good
Samaritan"). Only names of two words or more, one of them rare in English, are kept
(``distinctive``).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from wordfreq import zipf_frequency

# Words that say what kind of place a hospital is, or whose it is: never its name alone.
DESCRIPTORS = frozenset(
    """hospital hospitals center centre ctr medical med memorial health healthcare regional county community of
    inc llc system systems and the at in for general university univ campus district clinic clinics cah
    foundation care services area specialty surgical surgery children's childrens children women's womens
    women rehabilitation rehab institute orthopedic orthopaedic orthopedics behavioral psychiatric heart
    cancer long term acute critical access north south east west central northern southern eastern western
    northwest northeast southwest southeast mid new valley city hosp healthplex affiliated partners network
    physicians doctors doctor's doctors' emergency infirmary sanitarium sanatorium lutheran baptist methodist
    presbyterian catholic adventist episcopal jewish christian state veterans va kindred select vibra lifecare
    encompass healthsouth hca regency post transitional continuing diagnostic imaging
    rural unit division branch main spine joint eye eyes invasive minimally developmental pain wellness
    cardiovascular geriatric sleep wound dialysis kidney bone sports recovery addiction""".split()
)
# Descriptors that notes keep with a one-word name: "LAUREL REGIONAL", "Calvert Memorial".
KEPT_WITH_NAME = frozenset("regional memorial general".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'’.&]*")
COMMON_ZIPF = 4.3  # "same day", "swing bed", "high point": everyday words, no hospital's name


def cores(name: str) -> list[str]:
    """The runs of a hospital's name between its descriptor words, lower case; a run of one
    word also with the descriptor after it that notes keep ("laurel regional")."""
    words = [w.lower().rstrip(".,").replace("’", "'") for w in _WORD.findall(name)]
    words = ["saint" if w in ("st", "st.") else w for w in words]
    runs: list[list[str]] = [[]]
    found = []
    for word in words:
        if word in DESCRIPTORS or len(word) <= 2:
            if word in KEPT_WITH_NAME and len(runs[-1]) == 1:
                found.append(f"{runs[-1][0]} {word}")
            runs.append([])
        else:
            runs[-1].append(word)
    return found + [" ".join(run) for run in runs if run and run != ["saint"]]


def without_systems(names: set[str]) -> set[str]:
    """``names`` and, where a name starts with a hospital system's (a first word that starts
    four names or more and is no English word: "medstar harbor", "medstar union"), the rest of
    it too ("harbor")."""
    firsts: dict[str, int] = {}
    for name in names:
        if " " in name:
            first = name.split(" ", 1)[0]
            firsts[first] = firsts.get(first, 0) + 1
    # A system's name is no English word: "medstar", "upmc"; not "san", "lake", "mercy".
    systems = {word for word, count in firsts.items() if count >= 4 and zipf_frequency(word, "en") < 3.7}
    rest = {name.split(" ", 1)[1] for name in names if " " in name and name.split(" ", 1)[0] in systems}
    return names | rest


def distinctive(name: str) -> bool:
    """Whether notes can mean only a hospital by ``name``: two words or more, one of them rare
    in English ("holy cross" and the saints' names aside); a one-word name ("Harbor",
    "Cardiac") is as often a word or a place, which other rules read."""
    words = name.split()
    if len(words) < 2:
        return False
    return words[0] in ("saint", "holy") or min(zipf_frequency(w, "en") for w in words) < COMMON_ZIPF


def main(argv: list[str]) -> int:
    with Path(argv[0]).open(encoding="utf-8", errors="replace", newline="") as handle:
        found = without_systems({core for row in csv.DictReader(handle) for core in cores(row["Hospital Name"])})
    names = sorted(name for name in found if distinctive(name))
    print("# What notes call a hospital: CMS Hospital General Information (public domain), cut at")
    print("# the words that describe a hospital; rebuilt by bench/hospital_names.py.")
    print("\n".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
