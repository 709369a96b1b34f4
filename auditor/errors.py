"""One error family. The CLI turns each into one line on stderr and an exit code."""

from __future__ import annotations


class AuditorError(Exception):
    """Base of every error auditor raises on purpose."""

    exit_code = 3


class UsageError(AuditorError):
    """The command line or the library call was wrong (exit 2)."""

    exit_code = 2


class ConfigError(AuditorError):
    """Configuration is invalid or points at something that is not there (exit 2)."""

    exit_code = 2


class ModelNotInstalledError(ConfigError):
    """The configured spaCy pipeline is not installed; auditor never downloads one."""


class SourceError(AuditorError):
    """A single source could not be read; the scan records it as skipped and goes on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SchemaOutdatedError(ConfigError):
    """The findings database is behind this code (or has no schema yet): run ``auditor db upgrade``."""


class PolicyViolation(AuditorError):
    """A request the site's rules do not let leave, and no local route may take it (``auditor.guard``).

    ``rule_id``, ``decision`` and ``fix`` say which rule stopped it and what to do; the message
    names categories and rules only, never the data.
    """

    exit_code = 2

    def __init__(self, message: str, rule_id: str = "", decision: str = "", fix: str = "") -> None:
        super().__init__(message)
        self.rule_id = rule_id
        self.decision = decision
        self.fix = fix


class RouteUnavailable(AuditorError):
    """The upstream a guarded request was sent to failed, and the guard sent it nowhere else.

    A local route that is down fails closed: data that must stay local is never sent to the
    external destination instead.
    """
