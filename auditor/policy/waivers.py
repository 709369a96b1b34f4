"""Waivers (``auditor-waivers.yaml``): reviewed exceptions with an approver and an expiry.

A waiver covers one rule for a fingerprint, a flow identity or a path glob. One without an
approver or an expiry is rejected at load; an expired one no longer applies and is reported.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from auditor.catalog.schema import PolicyFileError, load_yaml, validate
from auditor.model import Flow, WaiverStatus

WAIVERS_FILE = "auditor-waivers.yaml"


@dataclass(frozen=True)
class Waiver:
    id: str
    rule: str
    justification: str
    approver: str
    expires: date
    fingerprint: str | None = None
    flow: str | None = None
    path: str | None = None
    approved: date | None = None

    def in_force(self, on: date) -> bool:
        """A waiver holds up to and including its expiry date."""
        return on <= self.expires

    def covers(self, rule_id: str, flow: Flow) -> bool:
        """Whether this waiver names the rule and the flow (by fingerprint, identity or path)."""
        if self.rule != rule_id:
            return False
        if self.flow and self.flow == flow.identity:
            return True
        if self.fingerprint and any(f.fingerprint.startswith(self.fingerprint) for f in flow.findings):
            return True
        return self.path is not None and self.path != "" and fnmatch.fnmatch(flow.sink.location.path, self.path)

    def status(self, on: date) -> WaiverStatus:
        return WaiverStatus(
            id=self.id,
            rule_id=self.rule,
            justification=self.justification,
            approver=self.approver,
            expires=self.expires.isoformat(),
            expired=not self.in_force(on),
            fingerprint=self.fingerprint,
            path=self.path,
        )


def _is_date(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def load_waivers(path: Path | None, *, required: bool = False) -> tuple[Waiver, ...]:
    """The waivers of a file; a missing file means none, unless it was named (``required``)."""
    if path is None or not path.exists():
        if required and path is not None:
            raise PolicyFileError(f"{path}: waivers file does not exist")
        return ()
    data = load_yaml(path)
    if data is None:
        return ()
    validate(data, "waivers", path)
    waivers = []
    seen: set[str] = set()
    for item in data["waivers"]:
        if item["id"] in seen:
            raise PolicyFileError(f"{path}: waiver {item['id']}: field id: duplicate waiver id")
        seen.add(item["id"])
        for field in ("expires", "approved"):
            if item.get(field) is not None and not _is_date(item[field]):
                raise PolicyFileError(
                    f"{path}: waiver {item['id']}: field {field}: {item[field]!r} is not a date (YYYY-MM-DD)"
                )
        waivers.append(
            Waiver(
                id=item["id"],
                rule=item["rule"],
                justification=" ".join(item["justification"].split()),
                approver=item["approver"],
                expires=date.fromisoformat(item["expires"]),
                fingerprint=item.get("fingerprint"),
                flow=item.get("flow"),
                path=item.get("path"),
                approved=date.fromisoformat(item["approved"]) if item.get("approved") else None,
            )
        )
    return tuple(waivers)
