"""The Python daemon of a Spark executor, with auditor's detector loaded before it forks workers.

Spark starts one daemon per executor (``spark.python.daemon.module``, by default
``pyspark.daemon``) and forks a Python worker from it for each concurrent task. Spark keeps
more workers than cores (a stage that pipes two Python steps holds two per task) and closes
any worker that has been idle a minute, so a detector loaded by a worker is often lost, and
each new worker loads spaCy and Presidio again inside the job: seconds of CPU each, and
hundreds of megabytes. Loaded here once, before the fork, every worker starts with it (its
pages shared copy-on-write). ``spark_session`` names this module for the sessions it builds;
on a cluster pass ``--conf spark.python.daemon.module=auditor.spark.daemon``.

The detector is the one a default ``ScanConfig`` asks for (``AUDITOR_SPACY_MODEL`` names
another model); a scan with other detector settings builds its own in each worker, as before.
Nothing may reach stdout before the daemon has written its port there: Spark reads it.
"""

from __future__ import annotations

import contextlib
import gc
import sys


def preload() -> None:
    """Load the default detector into ``auditor.spark.executor``; a failure only costs the
    workers their head start (they build the detector themselves, as without this daemon)."""
    try:
        with contextlib.redirect_stdout(sys.stderr):
            from auditor.spark.executor import preload_detector

            preload_detector()
    except Exception as exc:  # noqa: BLE001 - the daemon must start whatever the preload does
        print(f"auditor: detector not preloaded in the Spark daemon ({type(exc).__name__})", file=sys.stderr)
    # Objects made so far stay out of the collector's sweeps, so the forked workers do not
    # copy the model's pages by touching them.
    gc.freeze()


if __name__ == "__main__":
    preload()
    from pyspark.daemon import manager

    manager()
