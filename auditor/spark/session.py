"""A SparkSession for auditor: local mode bound to 127.0.0.1, or the cluster spark-submit gives.

Local mode never opens a port beyond the loopback interface and starts no web UI; nothing is
fetched at run time (no ``--packages``): PySpark's own jars are all a scan needs.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

from auditor.errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[*]"
DAEMON_MODULE = "auditor.spark.daemon"
# Local mode gives a task one attempt unless the master names more: local[N,F].
LOCAL_MAX_FAILURES = 4
_LOCAL = re.compile(r"local(?:\[(\*|\d+)\])?$")


def spark_session(master: str | None = None, app_name: str = "auditor scan") -> SparkSession:
    """The session to scan with: ``master`` (a ``--master`` URL such as ``spark://host:7077``,
    ``yarn``, ``local[2]``), else the one spark-submit set up, else ``local[*]``.

    A bare ``local[N]`` becomes ``local[N,4]`` so a failing partition is retried as on a cluster.
    """
    from pyspark.sql import SparkSession

    under_submit = bool(os.environ.get("PYSPARK_GATEWAY_PORT"))  # set by spark-submit
    if master is None and not under_submit:
        master = DEFAULT_MASTER
    builder = SparkSession.builder.appName(app_name).config("spark.ui.showConsoleProgress", "false")
    if master is not None:
        # Each executor's Python daemon loads the detector once, before it forks the workers
        # (auditor/spark/daemon.py): a worker Spark starts mid-job does not load spaCy again.
        builder = builder.config("spark.python.daemon.module", DAEMON_MODULE)
        bare = _LOCAL.match(master)
        if bare:
            master = f"local[{bare.group(1) or 1},{LOCAL_MAX_FAILURES}]"
        builder = builder.master(master)
        if master.startswith("local"):
            # Workers run this interpreter (with auditor and its model), not whatever python3 is first on PATH.
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no interface but the loopback
            cores = (os.cpu_count() or 1) if "*" in master else int(master.split("[")[1].split(",")[0])
            builder = (
                builder.config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                # Several partitions a core, so one slow partition does not leave a core idle.
                .config("spark.sql.files.minPartitionNum", str(4 * cores))
                .config("spark.sql.files.openCostInBytes", str(1 << 20))
                .config("spark.sql.shuffle.partitions", str(2 * cores))
            )
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - PySpark raises its own types when the JVM does not start
        raise ConfigError(
            f"Spark could not start ({type(exc).__name__}); it needs a Java 17+ runtime: check `java -version`"
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    return session
