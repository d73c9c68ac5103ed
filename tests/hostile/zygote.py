"""Run many command-line invocations fast: import once, then fork one child per invocation.

Used by tests/test_hostile_cli.py. Each child is a real process: it reads the file itself, has its own exit
status, stdout and stderr (files), an address-space cap, and its peak RSS comes from wait4. A child that runs
past the time limit is killed. Only start-up (imports) is shared, which keeps hundreds of runs to seconds.

    python tests/hostile/zygote.py JOBS.json RESULTS.json
JOBS.json: {"parallel": N, "seconds": S, "address_space": BYTES, "preload": [module or module:function, ...],
            "jobs": [{"id", "argv": [module, arg, ...], "cwd", "stdout", "stderr"}, ...]}
"""
from __future__ import annotations

import importlib
import json
import os
import resource
import runpy
import signal
import sys
import time
import traceback


def _child(job: dict, address_space: int) -> None:
    code = 1
    try:
        os.chdir(job["cwd"])
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, job["stdout"], os.O_WRONLY | os.O_CREAT),
                                (2, job["stderr"], os.O_WRONLY | os.O_CREAT)):
            target = os.open(path, flags, 0o600)
            os.dup2(target, fd)
            os.close(target)
        module = job["argv"][0]
        sys.argv = [module] + job["argv"][1:]
        sys.path[0] = os.getcwd()   # as `python -m` puts the working folder first
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as stop:   # what `python -m` does with it
            if stop.code is None or isinstance(stop.code, int):
                code = stop.code or 0
            else:
                print(stop.code, file=sys.stderr)
                code = 1
        except BaseException:   # noqa: BLE001 - an uncaught exception: the traceback a user would see
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def main(jobs_path: str, results_path: str) -> None:
    spec = json.loads(open(jobs_path, encoding="utf-8").read())
    for name in spec.get("preload", []):   # "module" imports it; "module:function" also calls it (a warm cache)
        module, _, function = name.partition(":")
        loaded = importlib.import_module(module)
        if function:
            getattr(loaded, function)()
    pending = list(spec["jobs"])
    running: dict[int, tuple[dict, float]] = {}
    results = []
    while pending or running:
        while pending and len(running) < spec["parallel"]:
            job = pending.pop(0)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(job, spec["address_space"])
            running[pid] = (job, time.perf_counter())
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        if pid == 0:
            now = time.perf_counter()
            for other, (job, started) in running.items():
                if now - started > spec["seconds"] * 2:
                    os.kill(other, signal.SIGKILL)
            time.sleep(0.002)
            continue
        job, started = running.pop(pid)
        results.append({"id": job["id"], "code": os.waitstatus_to_exitcode(status),
                        "seconds": time.perf_counter() - started, "rss_mb": usage.ru_maxrss / 1024})
    with open(results_path, "w", encoding="utf-8") as out:
        json.dump(results, out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
