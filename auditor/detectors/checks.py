"""Checksums and shape tests that tell an identifier from a number that looks like one."""

from __future__ import annotations

import re

_ICD10 = re.compile(r"^[A-TV-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?$", re.IGNORECASE)


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check over a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def npi_is_valid(value: str) -> bool:
    """NPI check digit: Luhn over "80840" + the 10 digits (CMS NPI standard, 45 CFR 162.406)."""
    digits = re.sub(r"\D", "", value)
    return len(digits) == 10 and len(set(digits[:-1])) > 1 and luhn_ok("80840" + digits)


def dea_is_valid(value: str) -> bool:
    """DEA registration check digit: (d1+d3+d5) + 2*(d2+d4+d6), last digit equals d7."""
    digits = value[2:]
    if len(digits) != 7 or not digits.isdigit():
        return False
    d = [int(c) for c in digits]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


def looks_like_icd10(value: str) -> bool:
    """An ICD-10-CM code such as E11.9 or I10: clinical content, not an identifier."""
    return bool(_ICD10.match(value.strip()))
