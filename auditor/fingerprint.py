"""Keyed fingerprints and masked excerpts: how a finding is tracked without its value.

A fingerprint is HMAC-SHA256 of the normalised value under a per-site key, so the same value
gives the same fingerprint across scans of one site and is useless to anyone without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from pathlib import Path

from auditor.errors import ConfigError

KEY_ENV = "AUDITOR_FINGERPRINT_KEY"
KEY_FILE_ENV = "AUDITOR_FINGERPRINT_KEY_FILE"

# Entities whose value is a code where punctuation is formatting, not identity:
# "914-22-7351" and "914227351" are the same SSN.
_SEPARATORS = re.compile(r"[\s\-./()]+")


def default_key_file() -> Path:
    """Where the site key lives when no environment variable names one."""
    if os.environ.get(KEY_FILE_ENV):
        return Path(os.environ[KEY_FILE_ENV])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "auditor" / "fingerprint.key"


def load_key() -> bytes:
    """The site key: ``AUDITOR_FINGERPRINT_KEY``, else a key file created once with mode 0600."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = default_key_file()
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ConfigError(f"cannot read fingerprint key file {path}: {exc.strerror}") from None
    key = secrets.token_hex(32).encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(
            f"cannot create fingerprint key file {path}: {exc.strerror}; set {KEY_ENV} or {KEY_FILE_ENV}"
        ) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


def normalise(value: str) -> str:
    """Canonical form of a value for fingerprinting: NFKC, case-folded, no formatting."""
    text = unicodedata.normalize("NFKC", value).casefold().strip()
    return _SEPARATORS.sub("", text)


def keyed_file_hash(path: str, key: bytes) -> str | None:
    """HMAC-SHA256 (hex) of a file's bytes under the site key; None if it cannot be read.

    Keyed like fingerprints: a plain hash of a one-line file is a hash of the raw value, which
    a dictionary of SSNs would reverse.
    """
    try:
        with open(path, "rb") as handle:
            digest = hmac.new(key, digestmod="sha256")
            while block := handle.read(1 << 20):
                digest.update(block)
            return digest.hexdigest()
    except OSError:
        return None


def fingerprint(key: bytes, entity: str, value: str) -> str:
    """HMAC-SHA256 (hex) of the entity type and normalised value under the site key."""
    message = f"{entity}\x00{normalise(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def mask_value(value: str, keep_last: int = 2) -> str:
    """Mask a value, keeping its shape: ``Jane Roe`` -> ``J*** R**``, ``00917734`` -> ``******34``.

    Words keep their first letter, digit runs their last ``keep_last`` digits (none for
    values shorter than 6 characters), separators stay, so a reviewer sees the kind of value.
    """
    digits = sum(ch.isdigit() for ch in value)
    if digits and digits >= len(re.sub(r"\W", "", value)) / 2:
        keep = keep_last if digits >= 6 else 0
        out, seen = [], 0
        for ch in value:
            if ch.isalnum():
                seen += 1
                out.append(ch if seen > sum(c.isalnum() for c in value) - keep else "*")
            else:
                out.append(ch)
        return "".join(out)
    return re.sub(r"(?<=\w)\w", "*", value)


# Context words that are labels, not data: kept readable in excerpts.
_CONTEXT_KEEP = frozenset(
    "patient pt name dob mrn ssn npi dea phone tel fax email address member id insurance account date "
    "attending provider physician dr mr mrs ms mx admitted discharged diagnosis subscriber policy contact "
    "the this that a an in on at for of to and or with by from is was".split()
)


def mask_context(text: str) -> str:
    """Mask what around a finding could be an undetected identifier: every digit, and every
    capitalised word (a name the detectors missed) except short all-caps labels (MRN, DOB) and
    common label words.
    """

    def word(match: re.Match[str]) -> str:
        token: str = match.group()
        if token.lower() in _CONTEXT_KEEP or (token.isupper() and len(token) <= 4):
            return token
        return token[0] + "*" * (len(token) - 1)

    return re.sub(r"\d", "#", re.sub(r"\b\w*[A-Z]\w*\b", word, text))


def mask_digits(text: str) -> str:
    """Mask the figures of a phrase, keeping its words (unreleased earnings, say)."""
    return re.sub(r"\d", "#", text)
