"""`make bench`: measure the service side by side with its baselines.

Creates a fresh database (iam_bench), migrates and seeds it, starts gunicorn
as in production (workers = cores, DEBUG off, real Postgres and Redis) on
127.0.0.1, and drives it with wrk from a separate process. Each figure is
measured against its baseline in alternating rounds (A B A B ...) and
reported as a ratio with min / median / max. Prints one table and writes
bench/results/latest.json when nothing was skipped (and a timestamped copy,
not committed, every time).

Every process started here runs in its own process group and is stopped in
a finally block, also when a step fails.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from contextlib import contextmanager

from bench.processes import (
    BIN,
    CORES,
    DBNAME,
    LOGS,
    RESULTS,
    Scenario,
    Server,
    bench_env,
    clear_cache,
    drop_database,
    json_line,
    recreate_database,
    run,
    say,
    server_url,
)
from bench.report import absolute_lines, ratios, table


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
    # Only a complete run replaces the committed result.
    if not (opts.skip_tenants or opts.skip_pool):
        (RESULTS / "latest.json").write_text(text)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(started))
    (RESULTS / f"run-{stamp}.json").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
