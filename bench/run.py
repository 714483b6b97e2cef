"""`make bench`: measure the service side by side with its baselines.

Creates a fresh database (iam_bench), migrates and seeds it, starts gunicorn
as in production (workers = cores, DEBUG off, real Postgres and Redis) on
127.0.0.1, and drives it with wrk from a separate process. Each figure is
measured against its baseline in alternating rounds (A B A B ...) and
reported as a ratio with min / median / max. Prints one table and writes
bench/results/latest.json (plus a timestamped copy, not committed).

Every process started here runs in its own process group and is stopped in
a finally block, also when a step fails.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
LOGS = ROOT / "var" / "bench"
LUA = ROOT / "bench" / "wrk" / "request.lua"
DBNAME = "iam_bench"
CACHE_PREFIX = "iam-bench"
CORES = os.cpu_count() or 1

TARGETS = {
    "me_vs_baseline": (">=", 0.9),
    "access_key_vs_baseline": (">=", 0.6),
    "authorize_vs_baseline": (">=", 0.8),
    "login_vs_argon2": (">=", 0.85),
    "pyjwt_vs_raw_es256": (">=", 0.8),
    "tenant_1000_vs_10": ("<=", 1.5),
    "peak_worker_rss_mb": ("<=", 150.0),
}


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


def spread(values: list[float]) -> dict:
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
    }


def ratios(a: list[float], b: list[float]) -> dict:
    """Ratio of each A round to the B round next to it."""
    return spread([x / y for x, y in zip(a, b, strict=True)])


def alternate(measure_a, measure_b, rounds: int) -> tuple[list, list]:
    a, b = [], []
    for _ in range(rounds):
        a.append(measure_a())
        b.append(measure_b())
    return a, b


# --- Phases ---------------------------------------------------------------------


def seed(env: dict) -> dict:
    run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"], env)
    out = LOGS / "seed.json"
    run([str(BIN / "python"), "-m", "bench.seed", str(out)], env)
    return json.loads(out.read_text())


def scenarios(fixtures: dict) -> dict:
    host = fixtures["host"]
    return {
        "baseline": Scenario(
            "baseline", "GET", f"/bench/baseline/{fixtures['root_id']}", host=host
        ),
        "me": Scenario(
            "me",
            "GET",
            "/iam/users/me",
            host=host,
            headers={"Authorization": f"Bearer {fixtures['me_token']}"},
        ),
        "access_key": Scenario(
            "access_key",
            "POST",
            "/iam/auth/token",
            host=host,
            body={
                "access_key_id": fixtures["access_key_id"],
                "secret_access_key": fixtures["secret_access_key"],
            },
        ),
        "authorize": Scenario(
            "authorize",
            "POST",
            "/iam/authorize",
            host=host,
            headers={"Authorization": f"Bearer {fixtures['policy_token']}"},
            body=fixtures["authorize_body"],
        ),
        "login": Scenario(
            "login",
            "POST",
            "/iam/auth/token",
            host=host,
            body={"email": fixtures["login_email"], "password": fixtures["password"]},
        ),
    }


def http_phase(server: Server, env: dict, fixtures: dict, opts) -> dict:
    results, skipped = {}, {}
    found = scenarios(fixtures)
    for name, scenario in found.items():
        ok, detail = scenario.check(server)
        if not ok:
            skipped[name] = detail
            say(f"  skip {name}: {detail}")
    conns = opts.connections

    def wrk(name):
        return lambda: found[name].wrk(server, opts.seconds, conns)

    for name in found:
        if name not in skipped:
            found[name].wrk(server, 1, conns)  # warm every worker's caches

    for name in ("me", "access_key", "authorize"):
        if name in skipped or "baseline" in skipped:
            continue
        say(f"  {name} vs baseline, {opts.rounds} rounds of {opts.seconds}s each")
        a, b = alternate(wrk(name), wrk("baseline"), opts.rounds)
        results[f"{name}_vs_baseline"] = pair(a, b)

    if "login" not in skipped:
        say(f"  login vs raw Argon2, {opts.rounds} rounds")

        def hashes():
            output = run(
                [
                    str(BIN / "python"),
                    "-m",
                    "bench.hashrate",
                    str(opts.seconds),
                    str(CORES),
                ],
                env,
            )
            return json_line(output)

        a, b = alternate(wrk("login"), hashes, opts.rounds)
        results["login_vs_argon2"] = pair(a, b)
    return {"results": results, "skipped": skipped}


def pair(a: list[dict], b: list[dict]) -> dict:
    a_rates = [round(x["per_second"], 1) for x in a]
    b_rates = [round(x["per_second"], 1) for x in b]
    return {
        "ratio": ratios(a_rates, b_rates),
        "a_per_second": a_rates,
        "b_per_second": b_rates,
        "a_p50_ms": [round(x["p50_us"] / 1000, 2) for x in a if "p50_us" in x],
    }


def pool_phase(env_pool: dict, fixtures: dict, opts, persistent: dict) -> dict:
    """Same me/baseline rounds with psycopg's pool instead of persistent ones."""
    server = Server(env_pool, "gunicorn-pool")
    try:
        found = scenarios(fixtures)
        for name in ("me", "baseline"):
            found[name].wrk(server, 1, opts.connections)
        a, b = alternate(
            lambda: found["me"].wrk(server, opts.seconds, opts.connections),
            lambda: found["baseline"].wrk(server, opts.seconds, opts.connections),
            opts.rounds,
        )
    finally:
        server.stop()
    pooled = pair(a, b)
    persistent_b = persistent.get("me_vs_baseline", {}).get("b_per_second", [])
    return {
        "pool": pooled,
        "persistent_baseline_per_second": persistent_b,
        "pool_baseline_per_second": pooled["b_per_second"],
    }


def downstream_phase(server: Server, env: dict, fixtures: dict, opts) -> dict:
    slug = fixtures["slug"]
    jwks = server.url(f"/t/{slug}/.well-known/jwks.json")
    issuer = json.loads(
        server.request(
            "GET", f"/t/{slug}/.well-known/openid-configuration", host="localhost"
        )[1]
    )["issuer"]
    output = run(
        [
            str(BIN / "python"),
            "-m",
            "bench.downstream",
            jwks,
            "localhost",
            fixtures["me_token"],
            issuer,
            str(opts.rounds),
            "1",
        ],
        env,
    )
    found = json_line(output)
    a, b = found["a_per_second"], found["b_per_second"]
    return {
        "ratio": ratios(a, b),
        "a_per_second": [round(x) for x in a],
        "b_per_second": [round(x) for x in b],
    }


def tenant_phase(env: dict, opts) -> dict:
    output = run(
        [
            str(BIN / "python"),
            "-m",
            "bench.tenant_creation",
            "10",
            str(opts.tenants),
            str(opts.rounds),
        ],
        {**env, "IAM_LOG_LEVEL": "WARNING"},
        timeout=420,
    )
    found = json_line(output)
    first, second = found["first_ms"], found["second_ms"]
    return {
        "ratio": {
            "min": min(second) / max(first),
            "median": statistics.median(second) / statistics.median(first),
            "max": max(second) / min(first),
        },
        "first_ms": [round(x, 1) for x in first],
        "second_ms": [round(x, 1) for x in second],
        "filler_seconds": round(found["filler_seconds"], 1),
        "second": found["second"],
    }


# --- Report ---------------------------------------------------------------------


def verdict(key: str, value: float | None) -> str:
    if value is None:
        return "not measured"
    op, target = TARGETS[key]
    ok = value >= target if op == ">=" else value <= target
    return "holds" if ok else "MISSED"


def table(report: dict) -> str:
    rows = [("what", "min", "median", "max", "target", "verdict")]
    labels = {
        "me_vs_baseline": "JWT GET /iam/users/me / B",
        "access_key_vs_baseline": "access-key POST /iam/auth/token / B",
        "authorize_vs_baseline": "POST /iam/authorize (5 groups, 500 stmts) / B",
        "login_vs_argon2": "password login / H",
        "pyjwt_vs_raw_es256": "PyJWT + cached JWKS / raw ES256 verify",
        "tenant_1000_vs_10": f"create tenant #{report['tenants']} / #10",
    }
    figures = report["figures"]
    for key, label in labels.items():
        op, target = TARGETS[key]
        found = figures.get(key)
        if found is None:
            rows.append((label, "-", "-", "-", f"{op} {target}", "not measured"))
            continue
        r = found["ratio"]
        rows.append(
            (
                label,
                f"{r['min']:.2f}",
                f"{r['median']:.2f}",
                f"{r['max']:.2f}",
                f"{op} {target}",
                verdict(key, r["median"]),
            )
        )
    rss = report["peak_worker_rss_mb"]
    peak = max(rss) if rss else None
    rows.append(
        (
            "peak RSS per web worker (MB)",
            f"{min(rss):.0f}" if rss else "-",
            "-",
            f"{peak:.0f}" if rss else "-",
            "<= 150",
            verdict("peak_worker_rss_mb", peak),
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append(
            "| "
            + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            + " |"
        )
        if index == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def absolute_lines(report: dict) -> list[str]:
    figures = report["figures"]
    lines = ["Absolute numbers (indicative of this machine only):"]
    for key, label in (
        ("me_vs_baseline", "GET /iam/users/me"),
        ("access_key_vs_baseline", "access-key exchange"),
        ("authorize_vs_baseline", "POST /iam/authorize"),
        ("login_vs_argon2", "password login"),
    ):
        found = figures.get(key)
        if found:
            rate = statistics.median(found["a_per_second"])
            base = statistics.median(found["b_per_second"])
            unit = "B" if key != "login_vs_argon2" else "H (Argon2 verif.)"
            lines.append(
                f"  {label}: {rate:.0f} req/s ({rate / CORES:.0f} per core); "
                f"{unit}: {base:.0f}/s ({base / CORES:.0f} per core)"
            )
    found = figures.get("pyjwt_vs_raw_es256")
    if found:
        a, b = (statistics.median(found[k]) for k in ("a_per_second", "b_per_second"))
        lines.append(
            f"  downstream PyJWT verify: {a:.0f}/s on one core; raw ES256: {b:.0f}/s"
        )
    found = figures.get("tenant_1000_vs_10")
    if found:
        first, second = (statistics.median(found[k]) for k in ("first_ms", "second_ms"))
        lines.append(
            f"  tenant creation (median): #10 {first:.0f} ms, "
            f"#{found['second']} {second:.0f} ms"
        )
    pool = report.get("connections")
    if pool:
        lines.append(
            "  baseline B with persistent connections: "
            f"{statistics.median(pool['persistent_baseline_per_second']):.0f} req/s; "
            f"with psycopg pool: "
            f"{statistics.median(pool['pool_baseline_per_second']):.0f} req/s"
        )
    return lines


def profile(server: Server, fixtures: dict, opts) -> int:
    from bench.profiling import record, summarize

    found = scenarios(fixtures)
    for name in opts.profile:
        ok, detail = found[name].check(server)
        if not ok:
            say(f"  skip {name}: {detail}")
            continue
        found[name].wrk(server, 1, opts.connections)
        out = LOGS / f"profile-{name}.txt"
        record(server, found[name], opts.seconds, opts.connections, out)
        for line in summarize(out):
            say(line)
    return 0


# --- Main -----------------------------------------------------------------------


@contextmanager
def bench_database(database_url: str, redis_url: str, keep: bool):
    recreate_database(database_url)
    clear_cache(redis_url)
    try:
        yield server_url(database_url, DBNAME)
    finally:
        clear_cache(redis_url)
        if not keep:
            drop_database(database_url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=2 * CORES)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--skip-tenants", action="store_true")
    parser.add_argument("--skip-pool", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--profile",
        nargs="+",
        metavar="SCENARIO",
        help="profile these scenarios with py-spy instead of measuring",
    )
    parser.add_argument(
        "--hold",
        type=float,
        default=0,
        help="keep the server up this many seconds after the load (to profile)",
    )
    opts = parser.parse_args()

    if not shutil.which("wrk"):
        say("wrk is missing: apt-get install -y wrk")
        return 2
    LOGS.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    base_db = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iam")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    started = time.time()
    report = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "machine": {
            "cores": CORES,
            "load_average_at_start": os.getloadavg(),
            "note": "absolute numbers: this machine only",
        },
        "method": {
            "seconds_per_round": opts.seconds,
            "rounds": opts.rounds,
            "wrk": f"1 thread, {opts.connections} connections, same host",
            "gunicorn": f"{CORES} sync workers",
        },
        "tenants": opts.tenants,
        "figures": {},
        "peak_worker_rss_mb": [],
    }

    with bench_database(base_db, redis_url, opts.keep_db) as database_url:
        env = bench_env(database_url, redis_url, pool=False)
        say("seeding")
        fixtures = seed(env)
        say(f"gunicorn with persistent connections, {CORES} workers")
        server = Server(env, "gunicorn")
        if opts.profile:
            try:
                return profile(server, fixtures, opts)
            finally:
                server.stop()
        try:
            phase = http_phase(server, env, fixtures, opts)
            report["figures"].update(phase["results"])
            report["skipped"] = phase["skipped"]
            say("  downstream token verification")
            report["figures"]["pyjwt_vs_raw_es256"] = downstream_phase(
                server, env, fixtures, opts
            )
            if opts.hold:
                say(f"  holding the server for {opts.hold}s (pid {server.process.pid})")
                time.sleep(opts.hold)
            report["peak_worker_rss_mb"] = [round(x, 1) for x in server.peak_rss_mb()]
        finally:
            server.stop()

        if not opts.skip_pool and "me_vs_baseline" in report["figures"]:
            say("gunicorn with IAM_DB_POOL=1")
            pool_env = {**env, "IAM_DB_POOL": "1"}
            report["connections"] = pool_phase(
                pool_env, fixtures, opts, report["figures"]
            )
        if not opts.skip_tenants:
            say(f"tenant creation: #10 and #{opts.tenants}")
            report["figures"]["tenant_1000_vs_10"] = tenant_phase(env, opts)

    report["seconds"] = round(time.time() - started, 1)
    report["machine"]["load_average_at_end"] = os.getloadavg()
    say("")
    say(table(report))
    for line in absolute_lines(report):
        say(line)
    load = report["machine"]["load_average_at_start"][0]
    say(
        f"(whole run: {report['seconds']} s; 1-minute load average at start {load:.1f})"
    )
    text = json.dumps(report, indent=2) + "\n"
    (RESULTS / "latest.json").write_text(text)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(started))
    (RESULTS / f"run-{stamp}.json").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
