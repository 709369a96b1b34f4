"""The terminal summary of a scan: per file and category, then what was skipped."""

from __future__ import annotations

from collections import Counter

from auditor.model import Category, ScanResult

_SHORT = {Category.PHI: "PHI", Category.PII: "PII", Category.FINANCIAL: "FIN", Category.EXPORT_CONTROLLED: "EXPORT"}


def render_table(result: ScanResult, verbose: bool = False) -> str:
    """A plain-text summary; with ``verbose`` every finding (masked) under its file."""
    per_file: dict[str, Counter] = {}
    for finding in result.findings:
        per_file.setdefault(finding.location.path, Counter())[finding.category] += 1
    lines: list[str] = []
    if per_file:
        width = max(len("file"), *(len(p) for p in per_file))
        header = f"{'file':<{width}}  " + "  ".join(f"{_SHORT[c]:>6}" for c in Category)
        lines += [header, "-" * len(header)]
        for path in sorted(per_file):
            counts = per_file[path]
            lines.append(f"{path:<{width}}  " + "  ".join(f"{counts[c] or '':>6}" for c in Category))
            if verbose:
                for f in (x for x in result.findings if x.location.path == path):
                    where = f"{f.location.line}:{f.location.column}"
                    if f.location.record is not None:
                        where += f" rec {f.location.record} {f.location.pointer or ''}"
                    lines.append(
                        f"    {where:<24} {f.category.value:<17} {f.entity:<24} {f.confidence:.2f}  {f.excerpt}"
                    )
        lines.append("")
    totals = result.counts_by_category()
    lines.append(
        f"{len(result.findings)} findings in {len(per_file)} of {len(result.sources)} files scanned "
        "(" + ", ".join(f"{k} {v}" for k, v in totals.items()) + ")"
    )
    if result.skipped:
        lines.append(f"{len(result.skipped)} skipped:")
        for skip in result.skipped:
            where = f"{skip.path}:{skip.line}" if skip.line else skip.path
            lines.append(f"  {where}: {skip.reason}")
    return "\n".join(lines) + "\n"
