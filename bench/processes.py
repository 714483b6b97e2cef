"""Processes of the benchmark: its database, cache, gunicorn and wrk.

Every process started here runs in its own process group and is stopped
by its owner in a finally block, also when a step fails.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
LOGS = ROOT / "var" / "bench"
LUA = ROOT / "bench" / "wrk" / "request.lua"
DBNAME = "iam_bench"
CACHE_PREFIX = "iam-bench"
CORES = os.cpu_count() or 1


def say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


# --- Environment and processes ------------------------------------------------


def server_url(base: str, dbname: str) -> str:
    return base.rsplit("/", 1)[0] + "/" + dbname


def bench_env(database_url: str, redis_url: str, *, pool: bool) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IAM_", "DJANGO_")) and key != "DEBUG"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY="bench-" + secrets.token_urlsafe(32),
        DEBUG="0",
        IAM_CACHE_PREFIX=CACHE_PREFIX,
        IAM_CELERY_QUEUE=CACHE_PREFIX,
        # Nothing leaves the machine: any email stays in process memory.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if pool:
        env["IAM_DB_POOL"] = "1"
    return env


def run(args: list, env: dict, *, timeout: float = 600) -> str:
    result = subprocess.run(
        args,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def json_line(output: str, marker: str = "") -> dict:
    for line in reversed(output.splitlines()):
        if line.startswith(marker + "{") or (marker and line.startswith(marker)):
            return json.loads(line[len(marker) :].strip())
    raise RuntimeError(f"no JSON result in output:\n{output}")


def recreate_database(database_url: str) -> None:
    import psycopg

    admin = server_url(database_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DBNAME}"')


def drop_database(database_url: str) -> None:
    import psycopg

    admin = server_url(database_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')


def clear_cache(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{CACHE_PREFIX}*", count=1000))
    if keys:
        client.delete(*keys)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_group(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


class Server:
    """gunicorn as in production, in its own process group on 127.0.0.1."""

    def __init__(self, env: dict, name: str):
        self.env = env
        self.port = free_port()
        self.log = open(LOGS / f"{name}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "iam_project.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(CORES),
                "--access-logfile",
                "-",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _wait_ready(self) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                status, _ = self.request("GET", "/healthz", host="localhost")
                if status == 200 and len(self.worker_pids()) == CORES:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not become ready")

    def request(self, method, path, *, host, headers=None, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url(path), data=data, method=method, headers={"Host": host}
        )
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return pids

    def peak_rss_mb(self) -> list[float]:
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks

    def stop(self) -> None:
        stop_group(self.process)
        self.log.close()


# --- Load -----------------------------------------------------------------------


class Scenario:
    def __init__(self, name, method, path, *, host, headers=None, body=None):
        self.name, self.method, self.path = name, method, path
        self.host, self.headers, self.body = host, headers or {}, body

    def check(self, server: Server) -> tuple[bool, str]:
        """One request before the load: the scenario must answer 200."""
        status, content = server.request(
            self.method, self.path, host=self.host, headers=self.headers, body=self.body
        )
        return status == 200, f"{status} {content[:200]!r}"

    def wrk(self, server: Server, seconds: float, connections: int) -> dict:
        args = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            "-H",
            f"Host: {self.host}",
        ]
        for name, value in self.headers.items():
            args += ["-H", f"{name}: {value}"]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "BENCH_METHOD": self.method,
            "BENCH_BODY": json.dumps(self.body) if self.body is not None else "",
        }
        output = subprocess.run(
            [*args, server.url(self.path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=False,
        )
        if output.returncode != 0:
            raise RuntimeError(f"wrk failed: {output.stderr}")
        result = json_line(output.stdout, "BENCH_JSON ")
        result["per_second"] = result["requests"] / (result["duration_us"] / 1e6)
        if result["non_2xx"]:
            raise RuntimeError(f"{self.name}: {result['non_2xx']} non-2xx answers")
        return result
