"""The script spark-submit runs: ``auditor scan --engine spark`` with the arguments it is given.

    spark-submit [spark options] .../site-packages/auditor/spark/submit.py PATH... --out DIR [--db URL]

The session is the one spark-submit set up (its ``--master``, ``--conf``, ``--archives``).
"""

from __future__ import annotations

import sys

from auditor.cli import main

if __name__ == "__main__":
    main(["scan", "--engine", "spark", *sys.argv[1:]])
