"""Runtime flows (the guard's and the LiteLLM guardrail's decisions), written as they happen.

Rows are built as a scan's are (``writer.ScanRecording``); what differs is that they arrive
one decision at a time, from a running application, and are written on a background thread.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, update

from auditor.model import AssessedFlow
from auditor.store import tables as t
from auditor.store.bulk import table_of, writing
from auditor.store.schema import ensure_schema
from auditor.store.writer import BATCH_ROWS, ScanRecording, ScanTarget, rule_rows
from auditor.version import __version__

RUNTIME_STATUS = "runtime"


class RuntimeJournal:
    """Runtime flows (the guard's and the guardrail's decisions) written as they happen.

    One ``scans`` row per process with status ``runtime`` and target ``runtime:<name>`` holds
    them; each decision is a ``flows`` row of kind ``runtime`` with its findings (masked
    excerpts and fingerprints only), rule trail, tokens, cost and action. Rows are written on a
    background thread so a request does not wait for the disk; ``flush()`` waits for them.
    """

    def __init__(self, engine: Engine, name: str = "guard") -> None:
        import queue
        import threading

        ensure_schema(engine, create=True)
        self.engine = engine
        root = Path.cwd()
        target = ScanTarget(root, f"runtime:{name}", None, None)
        with writing(engine) as conn, conn.begin():
            self.scan_id = conn.execute(
                insert(table_of(t.Scan)).returning(t.Scan.id),
                {"status": RUNTIME_STATUS, "started_at": datetime.now(UTC), "root": root.as_posix(),
                 "target": target.target, "tool_version": __version__},
            ).scalar_one()  # fmt: skip
        self._rows = ScanRecording(engine, self.scan_id, target, BATCH_ROWS)
        self._ordinal = 0
        self._finding_ordinal = 0
        self._queue: queue.Queue[tuple[AssessedFlow, dict[str, Any]] | None] = queue.Queue()
        self._errors: list[str] = []
        self._thread = threading.Thread(target=self._drain, name="auditor-runtime-journal", daemon=True)
        self._thread.start()

    def record(self, assessed: AssessedFlow, columns: dict[str, Any]) -> None:
        """Queue one decision; ``columns`` are the flows columns of migration 0004 (action, cost...)."""
        self._queue.put((assessed, columns))

    def flush(self) -> None:
        """Wait until every queued decision is written."""
        self._queue.join()

    def close(self) -> None:
        """Write what is queued, then stop the writer thread."""
        self._queue.put(None)
        self._thread.join(timeout=30)

    @property
    def errors(self) -> tuple[str, ...]:
        """Decisions that could not be written (the exception type, never its text)."""
        return tuple(self._errors)

    def _drain(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._write(*item)
            except Exception as exc:  # noqa: BLE001 - a full disk must not take the application down
                self._errors.append(type(exc).__name__)
            finally:
                self._queue.task_done()

    def _write(self, assessed: AssessedFlow, columns: dict[str, Any]) -> None:
        ordinal = self._ordinal
        self._ordinal += 1
        counter = f"{assessed.verdict.decision.value}_count"
        with writing(self.engine) as conn, conn.begin():
            finding_ids = []
            for finding in assessed.flow.findings:
                row = self._rows.finding_row(self._finding_ordinal, finding)
                self._finding_ordinal += 1
                finding_ids.append(conn.execute(insert(table_of(t.Finding)).returning(t.Finding.id), row).scalar_one())
            flow_row = {**self._rows.flow_row(ordinal, assessed), **columns}
            flow_id = conn.execute(insert(table_of(t.Flow)).returning(t.Flow.id), flow_row).scalar_one()
            for finding_id in sorted(set(finding_ids)):
                conn.execute(insert(table_of(t.FlowFinding)), {"flow_id": flow_id, "finding_id": finding_id})
            rules = list(rule_rows([assessed], [flow_id]))
            if rules:
                conn.execute(insert(table_of(t.FlowRule)), rules)
            conn.execute(
                update(table_of(t.Scan))
                .where(t.Scan.id == self.scan_id)
                .values(
                    finished_at=datetime.now(UTC),
                    flows_count=t.Scan.flows_count + 1,
                    findings_count=t.Scan.findings_count + len(finding_ids),
                    **{counter: getattr(t.Scan, counter) + 1},
                )
            )
