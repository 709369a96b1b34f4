"""The DataFrame schemas of a Spark scan and the rows that fill them.

Columns carry what ``auditor scan --format json`` carries for findings and flows: locations,
masked excerpts and keyed fingerprints, never a raw value. A flow's whole rule trail is one
JSON column (``trail``, the JSON report's verdict form); its rule ids are a column of their
own for filtering.
"""

from __future__ import annotations

import json

from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from auditor.model import AssessedFlow, Finding
from auditor.reports.json import verdict_to_dict


def _schema(*fields: tuple[str, object]) -> StructType:
    return StructType([StructField(name, kind, True) for name, kind in fields])  # type: ignore[arg-type]


FINDING_SCHEMA = _schema(
    ("finding_id", LongType()),
    ("path", StringType()),
    ("line", IntegerType()),
    ("column", IntegerType()),
    ("record", LongType()),
    ("pointer", StringType()),
    ("detector", StringType()),
    ("entity", StringType()),
    ("category", StringType()),
    ("confidence", DoubleType()),
    ("excerpt", StringType()),
    ("fingerprint", StringType()),
    ("label", StringType()),
)

FLOW_SCHEMA = _schema(
    ("flow_id", LongType()),
    ("identity", StringType()),
    ("kind", StringType()),
    ("path", StringType()),
    ("line", IntegerType()),
    ("column", IntegerType()),
    ("record", LongType()),
    ("sink", StringType()),
    ("destination", StringType()),
    ("destination_kind", StringType()),
    ("destination_host", StringType()),
    ("resolved_by", StringType()),
    ("categories", ArrayType(StringType())),
    ("verdict", StringType()),
    ("fails", BooleanType()),
    ("waived", BooleanType()),
    ("rule_ids", ArrayType(StringType())),
    ("remediation", ArrayType(StringType())),
    ("trail", StringType()),
    ("finding_ids", ArrayType(LongType())),
)

FILE_SCHEMA = _schema(
    ("path", StringType()),
    ("size", LongType()),
    ("lines", LongType()),
    ("records", LongType()),
    ("chars", LongType()),
    ("malformed", LongType()),
    ("unknown_shape", LongType()),
    ("failed_partitions", LongType()),
    ("format", StringType()),
)

PROBLEM_SCHEMA = _schema(
    ("path", StringType()),
    ("line", LongType()),
    ("kind", StringType()),
    ("reason", StringType()),
)


def finding_row(finding_id: int, finding: Finding) -> tuple[object, ...]:
    loc = finding.location
    return (
        finding_id,
        loc.path,
        loc.line,
        loc.column,
        loc.record,
        loc.pointer,
        finding.detector,
        finding.entity,
        finding.category.value,
        finding.confidence,
        finding.excerpt,
        finding.fingerprint,
        finding.label,
    )


def flow_row(flow_id: int, assessed: AssessedFlow, finding_ids: tuple[int, ...], fail_on: str) -> tuple[object, ...]:
    flow, verdict = assessed.flow, assessed.verdict
    loc = flow.sink.location
    dest = flow.destination
    return (
        flow_id,
        flow.identity,
        flow.kind.value,
        loc.path,
        loc.line,
        loc.column,
        loc.record,
        flow.sink.call,
        dest.id,
        dest.kind.value,
        dest.host,
        dest.resolved_by,
        [c.value for c in flow.categories],
        verdict.decision.value,
        verdict.fails(fail_on),
        verdict.waived,
        [o.rule_id for o in verdict.trail],
        list(verdict.remediation),
        json.dumps(verdict_to_dict(verdict, fail_on), ensure_ascii=False),
        list(finding_ids),
    )
