"""N Streamlit replicas behind HAProxy sharing one PostgreSQL, on loopback (`make serve-cluster`, tests, bench).

- PostgreSQL: the URL given (`SPS_DATABASE_URL` / `--db-url`), else a cluster of Debian's `postgresql` started
  here (initdb in a data folder, trust on 127.0.0.1 only; as the `postgres` user when run as root).
- Replicas: `python -m ui.serve run app.py` on 127.0.0.1:<base+i>, each with the same `SPS_DATABASE_URL`, the
  same `SPS_SECRET` (sign-in cookies verify on every replica) and the same `server.cookieSecret` (Streamlit's
  XSRF cookie, so an upload started through one replica is accepted by another).
- HAProxy (Debian's `haproxy`): one front port; sticky sessions by an inserted cookie (`SPS_REPLICA`), so a
  browser's websocket, its media files and its uploads stay on one replica; health checks on
  `/_stcore/health` every second, `option redispatch`: when a replica dies its browsers reconnect to another
  (the lesson is in the database, so nothing is lost but the socket).
"""
from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Missing(RuntimeError):
    """A real dependency (haproxy, PostgreSQL) is not installed."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary(name: str, *globs: str) -> str:
    found = shutil.which(name) or next((p for g in globs for p in sorted(glob.glob(g))[-1:]), None)
    if not found:
        raise Missing(f"{name} is missing: install Debian's package (`make serve-cluster` does, as root)")
    return found


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


class Postgres:
    """A PostgreSQL server of its own in `base` on a loopback port; stop() and start() again keep the data."""

    def __init__(self, base: str | None = None, port: int | None = None):
        self.initdb = binary("initdb", "/usr/lib/postgresql/*/bin/initdb")
        self.pg_ctl = binary("pg_ctl", "/usr/lib/postgresql/*/bin/pg_ctl")
        self.base = base or tempfile.mkdtemp(prefix="sps-cluster-pg-")
        self.data, self.log = os.path.join(self.base, "data"), os.path.join(self.base, "server.log")
        self.port = port or free_port()
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.makedirs(self.base, exist_ok=True)
            os.chown(self.base, user.pw_uid, user.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> "Postgres":
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            subprocess.run(self.run_as + [self.initdb, "-D", self.data, "-A", "trust", "-U", "postgres", "-E",
                                          "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)
        done = subprocess.run(self.run_as + [self.pg_ctl, "-D", self.data, "-l", self.log, "-w", "-t", "60", "-o",
                                             f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                                             "-c max_connections=300", "start"],
                              capture_output=True, text=True, timeout=90)
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {done.stderr}")
        return self

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(self.run_as + [self.pg_ctl, "-D", self.data, "-m", mode, "-w", "stop"], capture_output=True,
                       timeout=60)


HAPROXY_CFG = """global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    timeout http-request 30s
    option redispatch
    retries 3
frontend studio
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
    cookie SPS_REPLICA insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-check expect status 200
{servers}
"""


class Cluster:
    """Start with `with Cluster(replicas=2) as c:` — c.url is the balancer; c.kill(i) / c.restart(i)."""

    def __init__(self, replicas: int = 2, *, port: int | None = None, db_url: str | None = None,
                 workdir: str | None = None, pg_dir: str | None = None, quiet: bool = True):
        if replicas < 1:
            raise ValueError("at least one replica")
        self.haproxy = binary("haproxy", "/usr/sbin/haproxy")
        self.n = replicas
        self.port = port or free_port()
        self.workdir = workdir or tempfile.mkdtemp(prefix="sps-cluster-")
        self.db_url = db_url or os.environ.get("SPS_DATABASE_URL", "").strip() or None
        self.pg: Postgres | None = None
        self.quiet = quiet
        self.pg_dir = pg_dir
        self.secret = os.environ.get("SPS_SECRET") or secrets.token_hex(32)
        self.cookie_secret = secrets.token_hex(32)
        self.ports = [free_port() for _ in range(replicas)]
        self.procs: list[subprocess.Popen | None] = [None] * replicas
        self.balancer: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def replica_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def _env(self) -> dict:
        return dict(os.environ, SPS_DATABASE_URL=self.db_url, SPS_SECRET=self.secret,
                    STREAMLIT_SERVER_COOKIE_SECRET=self.cookie_secret,
                    STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", PYTHONUNBUFFERED="1")

    def _start_replica(self, i: int) -> None:
        log = open(os.path.join(self.workdir, f"replica{i + 1}.log"), "ab")
        self.procs[i] = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(self.ports[i]), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
             "--server.runOnSave", "false"],
            cwd=ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> "Cluster":
        if self.db_url is None:
            # as root the server runs as `postgres`, which must reach its folder: not under /root
            self.pg = Postgres(self.pg_dir or (tempfile.mkdtemp(prefix="sps-cluster-pg-") if os.geteuid() == 0
                                               else os.path.join(self.workdir, "pg"))).start()
            self.db_url = self.pg.url
        # migrate once before the replicas start (they would serialise on the schema lock anyway)
        subprocess.run([sys.executable, "-c", "from store.db import open_database; open_database()"], cwd=ROOT,
                       env=self._env(), check=True, timeout=120)
        for i in range(self.n):
            self._start_replica(i)
        servers = "\n".join(f"    server r{i + 1} 127.0.0.1:{p} check cookie r{i + 1} inter 1s fall 2 rise 1"
                            for i, p in enumerate(self.ports))
        cfg = os.path.join(self.workdir, "haproxy.cfg")
        Path(cfg).write_text(HAPROXY_CFG.format(port=self.port, servers=servers), encoding="utf-8")
        check = subprocess.run([self.haproxy, "-c", "-q", "-f", cfg], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"haproxy refused its configuration: {check.stderr}")
        log = open(os.path.join(self.workdir, "haproxy.log"), "ab")
        self.balancer = subprocess.Popen([self.haproxy, "-db", "-f", cfg], stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        for i in range(self.n):
            self._wait_replica(i)
        wait_http(self.url + "/_stcore/health", 30)
        return self

    def _wait_replica(self, i: int, timeout: float = 90.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.procs[i].poll() is not None:
                log = Path(self.workdir, f"replica{i + 1}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"replica {i + 1} exited ({self.procs[i].returncode}):\n{log}")
            try:
                urllib.request.urlopen(self.replica_url(i) + "/_stcore/health", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"replica {i + 1} did not answer within {timeout:.0f} s")

    def kill(self, i: int) -> None:
        """SIGKILL replica i (a crash, not a shutdown)."""
        proc = self.procs[i]
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def restart(self, i: int) -> None:
        self.kill(i)
        self._start_replica(i)
        self._wait_replica(i)

    def rss_mb(self) -> list[float]:
        """Resident memory of each live replica (from /proc), in MB."""
        out = []
        for proc in self.procs:
            try:
                with open(f"/proc/{proc.pid}/status", encoding="ascii") as f:
                    kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
                out.append(kb / 1024)
            except (OSError, StopIteration, AttributeError):
                out.append(0.0)
        return out

    def stop(self) -> None:
        for proc in [self.balancer, *self.procs]:
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        if self.pg is not None:
            self.pg.stop()

    def __enter__(self) -> "Cluster":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
