"""`make serve-cluster`: N Streamlit replicas behind HAProxy (sticky sessions) sharing one PostgreSQL, on
loopback. Ctrl+C stops everything it started.

    python -m ops.serve_cluster [--replicas 2] [--port 8080] [--db-url postgresql+psycopg://...] [--data DIR]

Without --db-url (or SPS_DATABASE_URL) a PostgreSQL of its own keeps its data in DIR (default
`$XDG_DATA_HOME/serverless-pattern-studio/cluster`; as root `/var/lib/serverless-pattern-studio/cluster-pg`,
readable by the `postgres` user), so a restart keeps the lessons.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from ops.cluster import Cluster, Missing


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.serve_cluster")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--db-url", default=None)
    parser.add_argument("--data", default=None)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)          # `kill` stops everything it started, like Ctrl+C
    base = Path(args.data or Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
                / "serverless-pattern-studio" / "cluster")
    base.mkdir(parents=True, exist_ok=True)
    try:
        pg_dir = "/var/lib/serverless-pattern-studio/cluster-pg" if os.geteuid() == 0 else None
        cluster = Cluster(args.replicas, port=args.port, db_url=args.db_url, workdir=str(base), pg_dir=pg_dir)
        cluster.start()
    except Missing as exc:
        print(exc, file=sys.stderr)
        return 1
    except (KeyboardInterrupt, RuntimeError, TimeoutError) as exc:
        cluster.stop()
        print(f"serve-cluster stopped: {exc}", file=sys.stderr)
        return 1
    print(f"Serverless Pattern Studio: {args.replicas} replicas behind HAProxy at {cluster.url}", flush=True)
    for i in range(args.replicas):
        print(f"  replica {i + 1}: {cluster.replica_url(i)} (log {base}/replica{i + 1}.log)", flush=True)
    print(f"  database: {cluster.db_url.split('@')[-1]} · Ctrl+C stops everything", flush=True)
    try:
        while True:
            time.sleep(0.5)
            for i, proc in enumerate(cluster.procs):
                if proc.poll() is not None:
                    print(f"replica {i + 1} exited ({proc.returncode}); restarting it", flush=True)
                    cluster.restart(i)
    except KeyboardInterrupt:
        print("stopping the replicas, the balancer and the database", flush=True)
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
