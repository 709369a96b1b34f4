"""Who runs a scan, and whether that process is still there: ``running`` versus ``abandoned``.

A scan row is ``running`` until its process writes how it ended. A process killed outright
(SIGKILL, the OOM killer, a power cut) writes nothing, so the row would say ``running`` for
ever. Each scan therefore records its owner: host name, the kernel's boot id, pid and the
process's start time. A pid alone is not enough: after the process dies the pid is reused,
and a reused pid would read as the scan still running. The start time (clock ticks since
boot, from ``/proc``) and the boot id together name one process on one machine for good.

Only the owner's machine can judge: a scan owned by another host (or recorded before owners
were) is never called dead by its pid. It stays ``running``, and ``report`` and ``diff``
refuse it like any scan that is not complete (``--allow-incomplete`` to go on anyway).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ALIVE, GONE, UNKNOWN = "alive", "gone", "unknown"


@dataclass(frozen=True, slots=True)
class ScanOwner:
    """The process that records a scan: where, which boot, which pid, started when."""

    host: str
    boot_id: str | None
    pid: int
    started: str | None  # clock ticks since boot (Linux /proc/PID/stat field 22); None elsewhere

    def as_row(self) -> dict[str, object]:
        """The ``scans`` columns that hold it."""
        return {
            "owner_host": self.host,
            "owner_boot_id": self.boot_id,
            "owner_pid": self.pid,
            "owner_started": self.started,
        }


def this_process() -> ScanOwner:
    """The owner a scan started now by this process records."""
    pid = os.getpid()
    stat = _proc_stat(pid)
    return ScanOwner(_host(), boot_id(), pid, stat[1] if stat else None)


def owner_state(host: str | None, boot: str | None, pid: int | None, started: str | None) -> str:
    """``alive``, ``gone`` or ``unknown`` (another host, or a scan recorded without an owner)."""
    if host is None or pid is None or host != _host():
        return UNKNOWN
    current_boot = boot_id()
    if boot and current_boot and boot != current_boot:
        return GONE  # the machine restarted since: every process of that boot is gone
    stat = _proc_stat(pid)
    if stat is not None:
        state, start = stat
        if state in ("Z", "X"):
            return GONE  # killed, not yet reaped by its parent
        if started is not None and start != started:
            return GONE  # the pid now belongs to another process
        return ALIVE
    if Path("/proc/self/stat").exists():
        return GONE  # /proc works here and has no such pid
    try:  # no /proc (macOS, BSD): the pid alone, the best this platform offers
        os.kill(pid, 0)
    except ProcessLookupError:
        return GONE
    except PermissionError:
        return ALIVE  # it exists, under another user
    return ALIVE


def effective_status(row: dict[str, object]) -> str:
    """A scan's status as it stands: a ``running`` scan whose process is gone is ``abandoned``."""
    status = str(row.get("status"))
    if status != "running":
        return status
    state = owner_state(
        row.get("owner_host"),  # type: ignore[arg-type]
        row.get("owner_boot_id"),  # type: ignore[arg-type]
        row.get("owner_pid"),  # type: ignore[arg-type]
        row.get("owner_started"),  # type: ignore[arg-type]
    )
    return "abandoned" if state == GONE else status


@cache
def _host() -> str:
    return socket.gethostname()


@cache
def boot_id() -> str | None:
    """The kernel's id of this boot (Linux), or None."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in ticks) of ``pid`` from /proc, or None when there is no such entry."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    fields = raw[raw.rfind(")") + 2 :].split()
    if len(fields) < 20:
        return None
    return fields[0], fields[19]  # field 3 (state) and field 22 (starttime), counted from 1
