"""What makes a finding or a flow "the same" in two scans, so new, fixed and open are computable.

Paths are first made relative to the project root (``normalise_path``), so that scanning
``examples/`` from the repository root and ``/abs/path/examples`` from elsewhere agree.

- A finding is the same when its detector, entity, fingerprint (the keyed hash of the value),
  path and anchor agree. The anchor is the record and JSON pointer (JSON/JSONL/CSV), else the
  enclosing symbol (code); line numbers are left out, so an edit above a finding does not make
  it new. The same value twice in one plain-text file is one identity, as in detect-secrets.
- A flow is the same when ``auditor.model.Flow.identity`` agrees, computed on the flow with
  its normalised path: kind, path, record or symbol, the call, and the destination.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path, PurePosixPath

from auditor.model import Finding, Flow


def normalise_path(path: str, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form; absolute if it lies outside the root."""
    absolute = Path(os.path.abspath(path))
    try:
        return PurePosixPath(absolute.relative_to(root).as_posix()).as_posix()
    except ValueError:
        return absolute.as_posix()


def finding_identity(finding: Finding, path: str) -> str:
    """The stable key of a finding whose location path is already normalised."""
    loc = finding.location
    anchor = "" if loc.record is None else f"{loc.record}{loc.pointer or ''}"
    if not anchor and loc.symbol:
        anchor = loc.symbol
    parts = [finding.detector, finding.entity, finding.fingerprint, path, anchor]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def flow_identity(flow: Flow, path: str) -> str:
    """``Flow.identity`` of the flow as if its sink path were the normalised ``path``."""
    sink = dataclasses.replace(flow.sink, location=dataclasses.replace(flow.sink.location, path=path))
    return dataclasses.replace(flow, sink=sink).identity
