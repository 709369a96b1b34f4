"""Seeded generator of labelled corpora: clinical notes, finance memos, export documents, negatives.

The same seed writes the same documents, with each sensitive value marked inline as
``[[CATEGORY:ENTITY|value]]`` so ``bench.evaluation.load_labelled`` reads them back with
exact spans. Entities are the names auditor reports; categories are those auditor's catalog
gives them in context (a person identifier in a clinical note is PHI). Values come from
Faker; the text around them (vitals, labs, drugs, ICD-10 codes, relative dates, part
numbers, versions) is there to tempt false positives and is never labelled.

Needs the ``dev`` extra (Faker). Used by ``bench/accuracy.py``, ``bench/throughput.py`` and
``tests/test_accuracy_generated.py``.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

from auditor.detectors.catalog import ENTITIES, category_of

KINDS = ("clinical", "finance", "export", "negative")

# Real US area codes, so phone numbers are valid numbers and not random digits.
_AREA_CODES = (
    "205 212 213 215 216 224 267 281 303 305 312 313 314 317 404 407 412 415 502 503 504 512 513 "
    "520 602 614 615 617 702 704 713 718 720 732 773 801 804 813 816 832 857 901 913 919 937 952"
).split()
# Real cities as well as Faker's invented ones ("Port Jennifer"): documents name real places.
_CITIES = (
    "Dayton Akron Toledo Columbus Pittsburgh Scranton Allentown Tucson Mesa Fresno Sacramento Oakland Boulder "
    "Aurora Tampa Orlando Savannah Macon Peoria Evanston Gary Lexington Louisville Worcester Lowell Baltimore "
    "Flint Lansing Duluth Rochester Springfield Raleigh Durham Charlotte Newark Trenton Albany Buffalo Syracuse "
    "Eugene Salem Memphis Knoxville Austin Houston Lubbock Richmond Norfolk Spokane Tacoma Madison Milwaukee"
).split()
_STATES = "AL AZ CA CO FL GA IL IN KY MA MD MI MN MO NC NJ NY OH OR PA TN TX VA WA WI".split()
_DRUGS = (
    ("metformin", "1000 mg twice daily"),
    ("lisinopril", "20 mg daily"),
    ("atorvastatin", "40 mg nightly"),
    ("amlodipine", "5 mg daily"),
    ("apixaban", "5 mg twice daily"),
    ("furosemide", "40 mg IV twice daily"),
    ("levothyroxine", "88 mcg daily"),
    ("sertraline", "50 mg daily"),
    ("gabapentin", "300 mg at bedtime"),
    ("omeprazole", "20 mg before breakfast"),
    ("insulin glargine", "22 units at bedtime"),
    ("prednisone", "40 mg daily for 5 days"),
    ("ceftriaxone", "1 g IV every 24 hours"),
    ("vancomycin", "1.25 g IV every 12 hours"),
    ("tamsulosin", "0.4 mg daily"),
    ("carvedilol", "12.5 mg twice daily"),
    ("spironolactone", "25 mg daily"),
    ("albuterol", "2 puffs every 4 hours as needed"),
    ("Eliquis", "5 mg twice daily"),
    ("Januvia", "100 mg daily"),
    ("Jardiance", "10 mg daily"),
    ("Entresto", "49/51 mg twice daily"),
    ("Ozempic", "0.5 mg weekly"),
    ("Keppra", "500 mg twice daily"),
)
_PROBLEMS = (
    ("Type 2 diabetes mellitus without complications", "E11.9"),
    ("Essential hypertension", "I10"),
    ("Chronic kidney disease, stage 3a", "N18.31"),
    ("Heart failure with reduced ejection fraction", "I50.22"),
    ("Atrial fibrillation, unspecified", "I48.91"),
    ("Community-acquired pneumonia", "J18.9"),
    ("Chronic obstructive pulmonary disease with exacerbation", "J44.1"),
    ("Major depressive disorder, recurrent, moderate", "F33.1"),
    ("Hypothyroidism, unspecified", "E03.9"),
    ("Cellulitis of left lower limb", "L03.116"),
    ("Urinary tract infection, site not specified", "N39.0"),
    ("Hyperlipidemia, unspecified", "E78.5"),
    ("Obstructive sleep apnea", "G47.33"),
    ("Acute kidney injury", "N17.9"),
    ("Iron deficiency anemia", "D50.9"),
    ("Osteoarthritis of right knee", "M17.11"),
)
_DEVICES = (
    ("dual-chamber pacemaker", "PJN"),
    ("implantable cardioverter-defibrillator", "RZM"),
    ("continuous glucose monitor", "CGM"),
    ("insulin pump", "PMP"),
    ("cochlear implant", "CI"),
)


class _Marker:
    """Marks values inline with the category auditor's catalog gives them in this document."""

    def __init__(self, clinical: bool) -> None:
        self.clinical = clinical

    def __call__(self, entity: str, value: str) -> str:
        if entity not in ENTITIES:
            raise ValueError(f"unknown entity {entity!r}")
        return f"[[{category_of(entity, self.clinical).value}:{entity}|{value}]]"


class _Values:
    """Faker-backed identifiers in the shapes they take in real documents."""

    def __init__(self, seed: int) -> None:
        from faker import Faker  # dev extra: only the corpus tools need it

        self.rng = random.Random(seed)
        self.fake = Faker(["en_US", "en_US", "en_US", "es_MX", "en_GB", "de_DE", "en_IN"])
        self.fake.seed_instance(seed)
        self.us = self.fake["en_US"]

    def pick(self, items):
        return self.rng.choice(items)

    def first(self) -> str:
        return self.fake.first_name()

    def last(self) -> str:
        return self.fake.last_name()

    def phone(self) -> str:
        area = self.pick(_AREA_CODES)
        line = f"555-01{self.rng.randint(0, 99):02d}"
        shape = self.rng.randrange(4)
        if shape == 0:
            return f"({area}) {line}"
        if shape == 1:
            return f"{area}-{line}"
        if shape == 2:
            return f"{area}.{line.replace('-', '.')}"
        return f"+1 {area} {line.replace('-', ' ')}"

    def email(self, first: str, last: str) -> str:
        domain = self.pick(("example.com", "example.net", "example.org", "mail.example.com"))
        local = self.pick((f"{first}.{last}", f"{first[0]}{last}", f"{first}{self.rng.randint(1, 99)}"))
        ascii_local = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
        return f"{ascii_local.lower()}@{domain}".replace(" ", "").replace("'", "")

    def date(self, start: str = "-90y", end: str = "-18y") -> str:
        day = self.us.date_between(start_date=start, end_date=end)
        shape = self.rng.randrange(4)
        if shape == 0:
            return day.strftime("%m/%d/%Y")
        if shape == 1:
            return day.isoformat()
        if shape == 2:
            return day.strftime("%B %-d, %Y")
        return day.strftime("%-m/%-d/%Y")

    def street(self) -> str:
        return self.us.street_address().split(" Apt.")[0].split(" Suite")[0]

    def city(self) -> str:
        return self.pick(_CITIES) if self.rng.random() < 0.7 else self.us.city()

    def zip(self) -> str:
        return self.us.zipcode()

    def state(self) -> str:
        return self.pick(_STATES)

    def ssn(self) -> str:
        return self.us.ssn()

    def mrn(self) -> str:
        digits = "".join(str(self.rng.randrange(10)) for _ in range(self.rng.randint(7, 9)))
        return self.pick((digits, f"MR-{digits}", f"{self.rng.randint(1, 9)}{digits[:7]}"))

    def member_id(self) -> str:
        letters = "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(3))
        return f"{letters}{self.rng.randint(100000000, 999999999)}"

    def npi(self) -> str:
        base = f"{self.rng.choice('12')}{self.rng.randint(10000000, 99999999)}"
        return base + str(_luhn_digit("80840" + base))

    def dea(self, last: str) -> str:
        d = [self.rng.randrange(10) for _ in range(6)]
        check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
        return self.pick("ABFM") + last[0].upper() + "".join(map(str, d)) + str(check)

    def account(self) -> str:
        return self.pick(
            (
                str(self.rng.randint(10**7, 10**10)),
                f"{self.rng.randint(1000, 9999)}-{self.rng.randint(100000, 999999)}",
            )
        )

    def licence(self) -> str:
        return f"{self.rng.choice('ABCDEFGHJKLMNPRSTW')}{self.rng.randint(1000000, 99999999)}"

    def serial(self, prefix: str) -> str:
        return f"{prefix}{self.rng.randint(100000, 9999999)}{self.rng.choice('ABCDEFGHJKLMNPRSTVWXYZ')}"

    def ip(self) -> str:
        return self.us.ipv4_public()


def _luhn_digit(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


# --- clinical notes --------------------------------------------------------------------------


def _vitals(v: _Values) -> str:
    r = v.rng
    return (
        f"BP {r.randint(104, 182)}/{r.randint(58, 104)} mmHg, HR {r.randint(52, 118)}, RR {r.randint(12, 24)}, "
        f"Temp {r.choice(('98.4', '98.9', '99.6', '100.8', '101.3'))} F, SpO2 {r.randint(88, 100)}% on "
        f"{v.pick(('room air', '2 L nasal cannula', '4 L NC'))}, weight {r.randint(48, 131)} kg"
    )


def _labs(v: _Values) -> str:
    r = v.rng
    items = [
        f"WBC {r.randint(40, 190) / 10}",
        f"Hgb {r.randint(78, 161) / 10} g/dL",
        f"platelets {r.randint(120, 420)}",
        f"sodium {r.randint(128, 146)}",
        f"potassium {r.randint(31, 56) / 10} mmol/L",
        f"creatinine {r.randint(6, 34) / 10} mg/dL",
        f"eGFR {r.randint(18, 96)}",
        f"HbA1c {r.randint(52, 121) / 10}%",
        f"LDL {r.randint(54, 188)} mg/dL",
        f"TSH {r.randint(3, 92) / 10} mIU/L",
        f"BNP {r.randint(40, 2400)} pg/mL",
        f"troponin I {r.randint(1, 90) / 1000} ng/mL",
        f"INR {r.randint(9, 34) / 10}",
    ]
    return ", ".join(r.sample(items, r.randint(4, 7)))


def _medications(v: _Values, n: int) -> list[str]:
    return [f"{name} {dose}" for name, dose in v.rng.sample(_DRUGS, n)]


def _problems(v: _Values, n: int) -> list[tuple[str, str]]:
    return v.rng.sample(_PROBLEMS, n)


def _relative(v: _Values) -> str:
    return v.pick(
        (
            f"{v.rng.randint(2, 9)} days ago",
            "yesterday evening",
            f"{v.rng.randint(2, 6)} weeks ago",
            "last month",
            f"since {v.rng.randint(2009, 2023)}",
            "on hospital day 3",
            f"{v.rng.randint(2, 11)} months ago",
        )
    )


def _person(v: _Values, m: _Marker):
    first, last = v.first(), v.last()
    return first, last, m("PERSON", f"{first} {last}")


def _progress_note(v: _Values, m: _Marker) -> str:
    first, last, name = _person(v, m)
    doc_first, doc_last = v.first(), v.last()
    pronoun, title = v.pick((("She", "Ms."), ("He", "Mr.")))
    problems = _problems(v, 3)
    meds = _medications(v, 4)
    relative_first, relative_last = v.first(), last
    return (
        f"{v.pick(('OUTPATIENT PROGRESS NOTE', 'Clinic Follow-up Visit', 'PRIMARY CARE NOTE'))}\n\n"
        f"Patient: {name}\n"
        f"DOB: {m('PERSON_DATE', v.date())}    MRN: {m('MEDICAL_RECORD_NUMBER', v.mrn())}\n"
        f"Date of service: {m('PERSON_DATE', v.date('-2y', 'today'))}\n"
        f"Provider: Dr. {m('PERSON', f'{doc_first} {doc_last}')}, NPI {m('US_NPI', v.npi())}\n\n"
        f"Chief complaint: follow-up of {problems[0][0].lower()}.\n\n"
        f"Subjective:\n{title} {m('PERSON', last)} reports symptoms began {_relative(v)}. "
        f"{pronoun} denies chest pain and dyspnea. {pronoun} lives with "
        f"{m('PERSON', f'{relative_first} {relative_last}')}, who helps with medications.\n\n"
        f"Vitals: {_vitals(v)}.\n\nLabs: {_labs(v)}.\n\n"
        "Assessment:\n"
        + "".join(f"{i}. {p} ({code}).\n" for i, (p, code) in enumerate(problems, 1))
        + "\nPlan:\n"
        + "".join(f"- {med}.\n" for med in meds)
        + f"- Return visit in {v.rng.randint(2, 6)} months; CPT {v.pick(('99213', '99214', '99215'))}.\n\n"
        f"Contact: {m('PHONE_NUMBER', v.phone())}. Home address: {m('LOCATION', v.street())}, "
        f"{m('LOCATION', v.city())}, {v.state()} {m('ZIP_CODE', v.zip())}.\n"
    )


def _discharge_summary(v: _Values, m: _Marker) -> str:
    _, _, name = _person(v, m)
    problems = _problems(v, 2)
    meds = _medications(v, 5)
    pronoun = v.pick(("She", "He"))
    return (
        "DISCHARGE SUMMARY\n\n"
        f"Name: {name}\nMedical record number: {m('MEDICAL_RECORD_NUMBER', v.mrn())}\n"
        f"Admission date: {m('PERSON_DATE', v.date('-1y', '-10d'))}\n"
        f"Discharge date: {m('PERSON_DATE', v.date('-9d', 'today'))}\n"
        f"Attending physician: {m('PERSON', f'{v.first()} {v.last()}')}, MD\n\n"
        f"Principal diagnosis: {problems[0][0]} ({problems[0][1]}).\n"
        f"Secondary diagnosis: {problems[1][0]} ({problems[1][1]}).\n\n"
        f"Hospital course: the patient presented with fever and productive cough that started {_relative(v)}. "
        f"Admission vitals: {_vitals(v)}. Labs on admission: {_labs(v)}. {pronoun} improved on {meds[0]} "
        "and was switched to oral therapy on hospital day 4.\n\n"
        "Discharge medications:\n"
        + "".join(f"- {med}\n" for med in meds)
        + f"\nFollow-up with Dr. {m('PERSON', v.last())} in {v.rng.randint(1, 3)} weeks. Insurance: "
        f"{v.pick(('Medicaid', 'commercial', 'Medicare Advantage'))}, member ID {m('HEALTH_PLAN_ID', v.member_id())}.\n"
        f"Discharged home to {m('LOCATION', v.street())}, {m('LOCATION', v.city())}, {v.state()} "
        f"{m('ZIP_CODE', v.zip())}; caregiver phone {m('PHONE_NUMBER', v.phone())}.\n"
    )


def _ed_note(v: _Values, m: _Marker) -> str:
    first, last, name = _person(v, m)
    problem, code = _problems(v, 1)[0]
    age = v.rng.randint(19, 94)
    return (
        "EMERGENCY DEPARTMENT TRIAGE\n"
        f"Arrival: ambulance at {v.rng.randint(0, 23):02d}:{v.rng.randint(0, 59):02d}. Acuity ESI "
        f"{v.rng.randint(2, 4)}.\n\n"
        f"{name} is a {age}-year-old with a history of {problem.lower()} who presented with "
        f"{v.pick(('shortness of breath', 'chest pressure', 'left leg swelling', 'confusion', 'abdominal pain'))} "
        f"that started {_relative(v)}. Triage vitals: {_vitals(v)}.\n"
        f"Home medications per pharmacy list: {', '.join(_medications(v, 3))}.\n"
        f"Allergies: {v.pick(('penicillin (rash)', 'sulfa drugs', 'no known drug allergies', 'latex'))}.\n\n"
        f"Emergency contact: {m('PERSON', f'{v.first()} {last}')} ({v.pick(('wife', 'husband', 'son', 'daughter'))}), "
        f"{m('PHONE_NUMBER', v.phone())}.\n"
        f"SSN on registration: {m('US_SSN', v.ssn())}. Driver's license {m('US_DRIVER_LICENSE', v.licence())} "
        f"({v.state()}).\n"
        f"Working diagnosis: {problem} ({code}). ECG: sinus rhythm, QTc {v.rng.randint(400, 480)} ms.\n"
        f"Seen by {m('PERSON', f'{v.first()} {v.last()}')}, MD, and {m('PERSON', f'{v.first()} {v.last()}')}, RN.\n"
    )


def _referral_letter(v: _Values, m: _Marker) -> str:
    first, last, name = _person(v, m)
    specialist = v.last()
    problem, code = _problems(v, 1)[0]
    sender_first, sender_last = v.first(), v.last()
    return (
        f"{v.pick(('Lakeside', 'Riverbend', 'Northgate', 'Summit'))} Family Medicine\n"
        f"Fax: {m('PHONE_NUMBER', v.phone())}\n\n"
        f"Dear Dr. {m('PERSON', specialist)},\n\n"
        f"Thank you for seeing {name} (DOB {m('PERSON_DATE', v.date())}) for evaluation of {problem.lower()} "
        f"({code}). {v.pick(('She', 'He'))} was diagnosed in {v.rng.randint(2008, 2022)} and symptoms have worsened "
        f"over the past {v.rng.randint(2, 8)} weeks despite {', '.join(_medications(v, 2))}.\n\n"
        f"Recent results: {_labs(v)}. Most recent blood pressure was {v.rng.randint(120, 170)}/"
        f"{v.rng.randint(70, 100)}.\n\n"
        f"{first} can be reached at {m('PHONE_NUMBER', v.phone())} or {m('EMAIL_ADDRESS', v.email(first, last))}. "
        f"Health plan ID: {m('HEALTH_PLAN_ID', v.member_id())}.\n\n"
        f"Sincerely,\n{m('PERSON', f'{sender_first} {sender_last}')}, {v.pick(('MD', 'DO', 'NP'))}\n"
        f"NPI: {m('US_NPI', v.npi())}\n"
    )


def _telehealth_note(v: _Values, m: _Marker) -> str:
    first, last, name = _person(v, m)
    problem, code = _problems(v, 1)[0]
    return (
        "TELEHEALTH VISIT (video)\n"
        f"Patient {name}, MRN {m('MEDICAL_RECORD_NUMBER', v.mrn())}, joined from {m('LOCATION', v.city())}, "
        f"{v.state()}. Session connected from IP {m('IP_ADDRESS', v.ip())}; identity verified with date of birth "
        f"{m('PERSON_DATE', v.date())}.\n\n"
        f"Reason for visit: {problem.lower()} ({code}), medication review.\n"
        f"Home readings: BP {v.rng.randint(118, 168)}/{v.rng.randint(68, 98)}, glucose "
        f"{v.rng.randint(90, 240)} mg/dL fasting.\n"
        f"Current medications: {', '.join(_medications(v, 3))}.\n"
        f"Plan: continue therapy, labs {v.pick(('next week', 'in 3 months', 'before the next visit'))}. "
        f"After-visit summary sent to {m('EMAIL_ADDRESS', v.email(first, last))}.\n"
        f"Clinician: {m('PERSON', f'{v.first()} {v.last()}')}, {v.pick(('MD', 'NP', 'PA-C'))}.\n"
    )


def _device_report(v: _Values, m: _Marker) -> str:
    _, _, name = _person(v, m)
    device, prefix = v.pick(_DEVICES)
    return (
        "DEVICE CLINIC - REMOTE INTERROGATION REPORT\n"
        f"Patient: {name}    DOB: {m('PERSON_DATE', v.date())}\n"
        f"Chart #: {m('MEDICAL_RECORD_NUMBER', v.mrn())}\n"
        f"Device: {device}, implanted {v.rng.randint(2014, 2024)}. Serial number: "
        f"{m('DEVICE_ID', v.serial(prefix))}.\n\n"
        f"Battery longevity {v.rng.randint(3, 11)} years. Lead impedance {v.rng.randint(350, 900)} ohms, "
        f"sensing {v.rng.randint(2, 15)} mV, pacing threshold {v.rng.randint(5, 15) / 10} V at 0.4 ms.\n"
        f"Events since last check ({_relative(v)}): {v.rng.randint(0, 6)} episodes of AF, longest "
        f"{v.rng.randint(1, 90)} minutes; {v.pick(('no', 'one', 'two'))} treated VT episodes.\n"
        f"Anticoagulation: {v.pick(_DRUGS)[0]}. Next remote check in 91 days.\n"
        f"Reviewed by {m('PERSON', f'{v.first()} {v.last()}')}, {v.pick(('MD', 'RN', 'CNP'))}.\n"
    )


def _prior_authorization(v: _Values, m: _Marker) -> str:
    first, last, name = _person(v, m)
    problem, code = _problems(v, 1)[0]
    drug = v.pick(_DRUGS)
    return (
        "PRIOR AUTHORIZATION REQUEST - PHARMACY\n\n"
        f"Member name: {name}\n"
        f"Member ID: {m('HEALTH_PLAN_ID', v.member_id())}    Group number: {m('HEALTH_PLAN_ID', v.member_id())}\n"
        f"Date of birth: {m('PERSON_DATE', v.date())}\n"
        f"Address: {m('LOCATION', v.street())}, {m('LOCATION', v.city())}, {v.state()} {m('ZIP_CODE', v.zip())}\n"
        f"Phone: {m('PHONE_NUMBER', v.phone())}\n"
        f"Billing account number: {m('ACCOUNT_NUMBER', v.account())}\n\n"
        f"Medication requested: {drug[0]} {drug[1]}, quantity 30, refills {v.rng.randint(0, 5)}.\n"
        f"Diagnosis: {problem} ({code}).\n"
        f"Previous therapies tried and failed: {', '.join(_medications(v, 2))}.\n"
        f"Most recent HbA1c {v.rng.randint(62, 118) / 10}% and BMI {v.rng.randint(240, 420) / 10}.\n\n"
        f"Prescriber: {m('PERSON', f'{v.first()} {v.last()}')}, MD    NPI: {m('US_NPI', v.npi())}\n"
        f"DEA: {m('DEA_NUMBER', v.dea(v.last()))}    Office fax: {m('PHONE_NUMBER', v.phone())}\n"
    )


def _llm_prompt(v: _Values, m: _Marker) -> str:
    first, last, name = _person(v, m)
    problems = _problems(v, 2)
    return (
        f"{v.pick(('Summarize this for the patient in plain language:', 'Draft a discharge letter from these notes:', 'Rewrite as a SOAP note:'))}\n\n"  # noqa: E501
        f"{name}, {v.rng.randint(24, 91)}, DOB {m('PERSON_DATE', v.date())}, "
        f"MRN {m('MEDICAL_RECORD_NUMBER', v.mrn())}. "
        f"Admitted on {m('PERSON_DATE', v.date('-1y', 'today'))} with {problems[0][0].lower()} ({problems[0][1]}); "
        f"also has {problems[1][0].lower()} ({problems[1][1]}). Vitals today {_vitals(v)}. "
        f"Started {', '.join(_medications(v, 2))}. Symptoms improved over the last {v.rng.randint(2, 5)} days. "
        f"{first}'s {v.pick(('wife', 'husband', 'mother', 'son'))} {m('PERSON', f'{v.first()} {last}')} asked that "
        f"updates go to {m('EMAIL_ADDRESS', v.email(v.first(), last))}.\n"
    )


def _lab_report(v: _Values, m: _Marker) -> str:
    _, _, name = _person(v, m)
    return (
        f"{v.pick(('Quest', 'Regional', 'Central'))} Reference Laboratory - FINAL REPORT\n"
        f"Patient: {name}   Sex: {v.pick(('F', 'M'))}   DOB: {m('PERSON_DATE', v.date())}\n"
        f"Patient ID: {m('MEDICAL_RECORD_NUMBER', v.mrn())}   Account #: {m('ACCOUNT_NUMBER', v.account())}\n"
        f"Ordering provider: {m('PERSON', f'{v.first()} {v.last()}')}, MD (NPI {m('US_NPI', v.npi())})\n"
        f"Collected: {m('PERSON_DATE', v.date('-30d', 'today'))} {v.rng.randint(6, 11):02d}:{v.rng.randint(0, 59):02d}\n\n"  # noqa: E501
        "Test                 Result      Units     Reference\n"
        f"Glucose, fasting     {v.rng.randint(70, 260):<11} mg/dL     70-99\n"
        f"HbA1c                {v.rng.randint(48, 120) / 10:<11} %         4.0-5.6\n"
        f"Creatinine           {v.rng.randint(6, 30) / 10:<11} mg/dL     0.6-1.3\n"
        f"TSH                  {v.rng.randint(3, 90) / 10:<11} mIU/L     0.4-4.0\n"
        f"LDL cholesterol      {v.rng.randint(50, 190):<11} mg/dL     <100\n\n"
        f"Comment: specimen received at {v.rng.randint(20, 25)} C; results verified {_relative(v)}.\n"
    )


CLINICAL_TEMPLATES: tuple[Callable[[_Values, _Marker], str], ...] = (
    _progress_note,
    _discharge_summary,
    _ed_note,
    _referral_letter,
    _telehealth_note,
    _device_report,
    _prior_authorization,
    _llm_prompt,
    _lab_report,
)


# --- finance memos ---------------------------------------------------------------------------


def _company(v: _Values) -> str:
    return f"{v.pick(('Corvane', 'Halbrook', 'Meridian', 'Tessaly', 'Orvik', 'Calloway'))} {v.pick(('Systems', 'Holdings', 'Industries', 'Networks'))}, Inc."  # noqa: E501


def _quarter(v: _Values) -> str:
    return f"Q{v.rng.randint(1, 4)} FY{v.rng.randint(2025, 2027)}"


def _money(v: _Values, low: int, high: int) -> str:
    return f"${v.rng.randint(low * 10, high * 10) / 10:.1f} million"


def _flash_results_memo(v: _Values, m: _Marker) -> str:
    author_first, author_last = v.first(), v.last()
    quarter = _quarter(v)
    marking = v.pick(("MATERIAL NON-PUBLIC INFORMATION", "MNPI", "CONFIDENTIAL - NOT FOR DISTRIBUTION"))
    return (
        f"{m('MNPI_MARKING', marking)} - DO NOT FORWARD\n\n{_company(v)}\n"
        f"Memo to: Audit Committee\nFrom: {m('PERSON', f'{author_first} {author_last}')}, VP Financial Planning\n"
        f"Subject: {quarter} flash results\n\n"
        f"{m('UNRELEASED_EARNINGS', f'Preliminary {quarter} revenue of {_money(v, 200, 900)}')} is "
        f"{v.rng.randint(2, 19)}% above the prior-year quarter. "
        f"{m('UNRELEASED_EARNINGS', f'Unaudited operating income came in at {_money(v, 20, 120)}')}, a "
        f"{v.rng.randint(80, 220) / 10}% margin. Days sales outstanding {v.rng.randint(38, 71)}; headcount "
        f"{v.rng.randint(900, 4800)}.\n\n"
        f"Last year's {quarter[:2]} revenue of {_money(v, 150, 800)} is in the 10-Q filed in "
        f"{v.pick(('May', 'August', 'November'))}.\n\n"
        f"Open items: accrual posted under journal entry {m('JOURNAL_ENTRY', f'JE-{v.rng.randint(2025, 2027)}-{v.rng.randint(100, 99999):05d}')} "  # noqa: E501
        f"to GL account {m('GL_ACCOUNT', f'{v.rng.randint(1000, 6999)}-{v.rng.randint(100, 999)}')}; "
        f"FX impact below $0.{v.rng.randint(1, 9)} million (Section {v.rng.randint(1, 6)}.{v.rng.randint(1, 9)}).\n"
        f"Questions to {m('EMAIL_ADDRESS', v.email(author_first, author_last))} or {m('PHONE_NUMBER', v.phone())}.\n"
    )


def _wire_instruction(v: _Values, m: _Marker) -> str:
    first, last = v.first(), v.last()
    return (
        f"{_company(v)} - Treasury\nPayment instruction {v.rng.randint(1000, 9999)}/{v.rng.randint(10, 99)}\n\n"
        f"Please release the {_quarter(v)} vendor settlement of ${v.rng.randint(10000, 990000):,}.{v.rng.randint(0, 99):02d} "  # noqa: E501
        "on the next payment run.\n"
        f"Beneficiary: {m('PERSON', f'{first} {last}')}\n"
        f"Bank account number: {m('US_BANK_NUMBER', str(v.rng.randint(10**9, 10**12)))}\n"
        f"ABA routing number: {m('ABA_ROUTING_NUMBER', v.us.aba())}\n"
        f"International: IBAN {m('IBAN_CODE', v.fake['de_DE'].iban())}\n"
        f"Customer account {m('ACCOUNT_NUMBER', v.account())} to be credited; "
        f"invoice INV-{v.rng.randint(10000, 99999)}, "
        f"PO {v.rng.randint(4500000000, 4599999999)}.\n\n"
        f"Approved by: {m('PERSON', f'{v.first()} {v.last()}')}, Treasurer\n"
    )


def _close_memo(v: _Values, m: _Marker) -> str:
    controller_first, controller_last = v.first(), v.last()
    gl = [f"{v.rng.randint(1000, 6999)}{v.pick(('', '-100', '.200'))}" for _ in range(3)]
    je = f"JE-{v.rng.randint(10000, 99999)}"
    return (
        f"Month-end close - {v.pick(('March', 'June', 'September', 'December'))} {v.rng.randint(2025, 2027)}\n"
        f"Prepared by: {m('PERSON', f'{controller_first} {controller_last}')}\n\n"
        f"1. Reclass of ${v.rng.randint(10, 900)}K from GL {m('GL_ACCOUNT', gl[0])} to the deferred revenue account; "
        f"entry {m('JOURNAL_ENTRY', je)} awaiting approval.\n"
        f"2. Bonus accrual true-up on G/L account {m('GL_ACCOUNT', gl[1])}: {v.rng.randint(1, 9)}% of plan.\n"
        f"3. Bank reconciliation for operating account {m('ACCOUNT_NUMBER', v.account())}: unreconciled difference "
        f"${v.rng.randint(1, 9999):,}, cleared by {v.pick(('day 3', 'day 5', 'the 10th'))}.\n"
        f"4. {m('UNRELEASED_EARNINGS', f'Draft EPS of ${v.rng.randint(20, 250) / 100:.2f}')} versus consensus "
        f"${v.rng.randint(20, 250) / 100:.2f}; do not share before the call.\n\n"
        f"Trading window closed. Reviewed by: {m('PERSON', f'{v.first()} {v.last()}')} (CFO).\n"
    )


FINANCE_TEMPLATES: tuple[Callable[[_Values, _Marker], str], ...] = (_flash_results_memo, _wire_instruction, _close_memo)


# --- export-control documents ------------------------------------------------------------------


def _eccn(v: _Values) -> str:
    return f"{v.rng.randint(0, 9)}{v.pick('ABCDE')}{v.pick(('001', '002', '003', '515', '610', '619', '980'))}{v.pick(('', '.a', '.b.1', '.e'))}"  # noqa: E501


def _roman(v: _Values) -> str:
    return v.pick(("IV", "VIII", "XI", "XII", "XV", "XIX", "XXI"))


def _technical_paragraph(v: _Values) -> str:
    return (
        f"Operating temperature -{v.rng.randint(40, 55)} C to +{v.rng.randint(70, 125)} C; mass "
        f"{v.rng.randint(100, 9000)} g; MTBF {v.rng.randint(20, 200) * 1000} h. Interface per MIL-STD-1553B, "
        f"connector D38999/{v.rng.randint(20, 26)}. "
        f"Part number {v.rng.randint(1000, 9999)}-{v.rng.randint(10, 999):04d} "
        f"rev {v.pick('ABCDEF')}.\n"
    )


def _itar_spec(v: _Values, m: _Marker) -> str:
    author_first, author_last = v.first(), v.last()
    statement = f"DISTRIBUTION STATEMENT {v.pick('BCDEF')}"
    return (
        f"{m('ITAR_MARKING', v.pick(('ITAR-CONTROLLED', 'ITAR RESTRICTED', 'ITAR')))} TECHNICAL DATA - "
        f"{m('USML_CATEGORY', f'USML Category {_roman(v)}')}\n\n"
        f"Engineering specification ES-{v.rng.randint(1000, 9999)} Rev {v.pick('ABCD')}\n\n"
        f"WARNING - export of this data is restricted by the {m('ITAR_MARKING', 'Arms Export Control Act')}.\n"
        f"{m('DISTRIBUTION_STATEMENT', statement)}. Distribution authorized to U.S. Government agencies only.\n\n"
        f"1. Scope\n{_technical_paragraph(v)}\n"
        f"2. Related items\nThe test fixture is classified under ECCN {m('ECCN', _eccn(v))}.\n\n"
        f"Author: {m('PERSON', f'{author_first} {author_last}')}\n"
        f"Export reviewer: {m('PERSON', f'{v.first()} {v.last()}')}, {m('EMAIL_ADDRESS', v.email(author_first, author_last))}\n"  # noqa: E501
    )


def _ear_classification(v: _Values, m: _Marker) -> str:
    eccn = _eccn(v)
    return (
        f"Export classification record - product line {v.pick(('NX', 'TR', 'QV'))}-{v.rng.randint(100, 999)}\n\n"
        f"This technology is {m('EAR_MARKING', 'subject to the EAR')} ({m('EAR_MARKING', '15 CFR 730-774')}).\n"
        f"ECCN: {m('ECCN', eccn)}. Reason for control: NS1, AT1. License exception {v.pick(('TSR', 'ENC', 'LVS'))} "
        "may apply.\n"
        f"Accessories ship as {m('ECCN', 'EAR99')}.\n"
        f"{m('CUI_EXPORT', 'CUI//SP-EXPT')} where the drawings are shared with suppliers.\n\n"
        f"{_technical_paragraph(v)}\n"
        f"Classified by: {m('PERSON', f'{v.first()} {v.last()}')}, Trade Compliance, {m('PHONE_NUMBER', v.phone())}\n"
    )


def _program_briefing(v: _Values, m: _Marker) -> str:
    return (
        f"Program briefing - {v.pick(('seeker', 'datalink', 'thermal imager'))} upgrade\n\n"
        f"Items on {m('USML_CATEGORY', f'Category {_roman(v)}(a) of the USML')} remain under the "
        f"{m('ITAR_MARKING', 'International Traffic in Arms Regulations')}; the commercial variant is "
        f"{m('ECCN', _eccn(v))}.\n"
        f"{_technical_paragraph(v)}"
        "Distribution Statement A applies to the public brochure only; annex C (SECRET//"
        f"{m('NOFORN', 'NOFORN')}) is held by the program office.\n"
        f"Point of contact: {m('PERSON', f'{v.first()} {v.last()}')}\n"
    )


EXPORT_TEMPLATES: tuple[Callable[[_Values, _Marker], str], ...] = (_itar_spec, _ear_classification, _program_briefing)


# --- harmless technical and business text (the false-positive corpus) --------------------------


def _version(v: _Values) -> str:
    return f"{v.rng.randint(0, 9)}.{v.rng.randint(0, 30)}.{v.rng.randint(0, 20)}"


def _release_notes(v: _Values, m: _Marker) -> str:
    return (
        f"# Release {_version(v)}\n\n"
        f"- Fixed a race in the connection pool when more than {v.rng.randint(16, 512)} workers start at once.\n"
        f"- The `--timeout` default is now {v.rng.randint(10, 120)} seconds (was {v.rng.randint(5, 60)}).\n"
        f"- Dropped support for Python 3.{v.rng.randint(7, 9)}; tested on 3.11 and 3.12.\n"
        f"- Upgraded OpenSSL to 3.{v.rng.randint(0, 3)}.{v.rng.randint(1, 15)}; commit "
        f"{v.fake.sha1()[:12]}.\n"
        f"- Build {v.rng.randint(1000, 99999)} passed {v.rng.randint(900, 4000)} tests in {v.rng.randint(3, 40)} min.\n"
        f"- Known issue: ticket #{v.rng.randint(1000, 9999)} (memory grows by {v.rng.randint(2, 90)} MB per hour).\n"
    )


def _config_file(v: _Values, m: _Marker) -> str:
    return (
        "```yaml\nserver:\n"
        f"  bind: 0.0.0.0\n  port: {v.rng.randint(1024, 9999)}\n  workers: {v.rng.randint(2, 32)}\n"
        f"  request_timeout_ms: {v.rng.randint(500, 30000)}\n"
        "cache:\n  backend: redis\n  url: redis://127.0.0.1:6379/0\n"
        f"  ttl_seconds: {v.rng.randint(60, 86400)}\n"
        f"retry:\n  attempts: {v.rng.randint(2, 6)}\n  backoff: exponential\n  max_delay: {v.rng.randint(5, 60)}s\n"
        f"feature_flags:\n  new_checkout: {v.pick(('true', 'false'))}\n  rollout_percent: {v.rng.randint(0, 100)}\n"
        "```\n\nRestart the service after changing the pool size; the health check on /healthz returns 200.\n"
    )


def _meeting_notes(v: _Values, m: _Marker) -> str:
    return (
        f"Planning notes - sprint {v.rng.randint(10, 80)}\n\n"
        f"Goals: cut p95 latency from {v.rng.randint(200, 900)} ms to under {v.rng.randint(100, 199)} ms; "
        f"finish the migration of {v.rng.randint(3, 40)} services to the new queue.\n"
        f"Capacity: {v.rng.randint(20, 60)} points. Carry-over from last sprint: {v.rng.randint(2, 13)} points.\n"
        f"Risks: the vendor SDK {_version(v)} has a memory leak; the load test needs {v.rng.randint(2, 8)} more "
        "nodes.\n"
        f"Decision: ship behind a flag in {_quarter(v)}, review adoption after {v.rng.randint(2, 6)} weeks.\n"
        "Action items are tracked on the team board; the retro moves to Thursday afternoon.\n"
    )


def _product_description(v: _Values, m: _Marker) -> str:
    return (
        f"The Model {v.pick('ABCDEFX')}{v.rng.randint(100, 990)} stand mixer has a {v.rng.randint(3, 7)}.5-quart bowl, "
        f"{v.rng.randint(6, 12)} speeds and a {v.rng.randint(250, 1000)} W motor. It weighs "
        f"{v.rng.randint(40, 140) / 10} kg and measures {v.rng.randint(30, 40)} x {v.rng.randint(20, 30)} x "
        f"{v.rng.randint(30, 45)} cm.\n"
        f"In the box: flat beater, dough hook, wire whip. Warranty: {v.rng.randint(1, 5)} years. SKU "
        f"{v.rng.randint(100000, 999999)}-{v.pick('ABC')}. Ships in {v.rng.randint(2, 10)} business days.\n"
        f"Rated {v.rng.randint(38, 49) / 10} out of 5 by {v.rng.randint(100, 9000):,} reviewers.\n"
    )


def _sql_and_logs(v: _Values, m: _Marker) -> str:
    rows = v.rng.randint(1000, 999999)
    return (
        "```sql\nSELECT region, date_trunc('week', created_at) AS week, count(*) AS orders,\n"
        "       sum(total_cents) / 100.0 AS revenue\nFROM orders\n"
        f"WHERE created_at >= now() - interval '{v.rng.randint(7, 90)} days'\nGROUP BY 1, 2\nORDER BY 2 DESC\n"
        f"LIMIT {v.rng.randint(10, 500)};\n```\n\n"
        f"Plan: seq scan on orders (rows={rows}), hash aggregate, {v.rng.randint(1, 900)} ms.\n"
        f"INFO  worker-{v.rng.randint(1, 16)} processed batch {v.rng.randint(1, 9999)} in {v.rng.randint(5, 999)} ms\n"
        f"WARN  retrying request {v.fake.uuid4()} after HTTP {v.pick(('429', '503', '504'))}\n"
        f"INFO  checkpoint at offset {v.rng.randint(10**6, 10**9)}, lag {v.rng.randint(0, 5000)} messages\n"
    )


def _quarterly_plan(v: _Values, m: _Marker) -> str:
    return (
        f"{_quarter(v)} operating plan (public summary)\n\n"
        f"Priorities: expand the partner program to {v.rng.randint(3, 12)} new markets in Europe and Asia, "
        f"reduce onboarding time by {v.rng.randint(10, 50)}%, and retire the legacy billing system.\n"
        f"Budget: as published in the annual report, R&D stays at about {v.rng.randint(12, 25)}% of revenue.\n"
        f"Hiring: {v.rng.randint(5, 80)} open roles, mostly engineering and support.\n"
        "The customer conference returns in the autumn; the agenda will be posted on the website.\n"
    )


NEGATIVE_TEMPLATES: tuple[Callable[[_Values, _Marker], str], ...] = (
    _release_notes,
    _config_file,
    _meeting_notes,
    _product_description,
    _sql_and_logs,
    _quarterly_plan,
)

_TEMPLATES = {
    "clinical": (CLINICAL_TEMPLATES, True),
    "finance": (FINANCE_TEMPLATES, False),
    "export": (EXPORT_TEMPLATES, False),
    "negative": (NEGATIVE_TEMPLATES, False),
}


def marked_documents(kind: str, count: int, seed: int) -> Iterator[tuple[str, str]]:
    """``count`` marked-up documents of one kind as (name, text); the same seed, the same documents.

    A document of one kind is one template or, one time in three, two templates of that kind
    (a chart holding a note and a lab report, a memo with an attachment).
    """
    templates, clinical = _TEMPLATES[kind]
    values = _Values(seed * 31 + KINDS.index(kind))
    marker = _Marker(clinical)
    for i in range(count):
        parts = [values.pick(templates)(values, marker)]
        if values.rng.random() < 1 / 3:
            parts.append(values.pick(templates)(values, marker))
        yield f"{kind}_{i:04d}", "\n".join(parts)


def write_corpus(directory: Path, counts: dict[str, int], seed: int) -> Path:
    """Write ``counts[kind]`` documents of each kind into ``directory``; returns the directory."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for kind, count in counts.items():
        for name, text in marked_documents(kind, count, seed):
            (directory / f"{name}.txt").write_text(text, encoding="utf-8")
    return directory
