"""The real stack on loopback, for end-to-end tests.

`live_iam` (one per test session) creates and migrates a database of its own
(never pytest-django's: the server and worker must see committed data, and a
flush would wipe the shared test tenants), starts an aiosmtpd server in a
thread (which also saves each message in a maildir, as `make run`'s mail
catcher does, for the demo), a Celery worker with beat against the real
Redis on a queue of its own, and the Django server as a subprocess. It creates the platform owner
with the management command. Everything is stopped and dropped at the end.

`e2e_tenant` (one per module) creates a tenant with `create_tenant`, reads
the root's welcome email and sets root's password through its link.

Tests that use these fixtures carry `pytest.mark.xdist_group("live_iam")` so
that pytest-xdist (run with --dist loadgroup) starts the stack only once.
"""

import http.client
import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import psycopg
import pytest
import redis
from django.conf import settings

from tests.smtp import SmtpCatcher, free_port, text_body

ROOT = Path(__file__).resolve().parents[2]
OWNER_EMAIL = "owner@e2e.test"
OWNER_PASSWORD = "the platform owner's long passphrase"
STARTUP_SECONDS = 30


@dataclass
class Reply:
    status: int
    headers: dict
    body: object
    elapsed: float

    def json(self):
        return self.body


def http_call(port, method, path, body=None, *, host="localhost", token=None):
    """One HTTP request to 127.0.0.1:port with a chosen Host header."""
    headers = {"Host": f"{host}:{port}", "Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        reply_headers = {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return Reply(response.status, reply_headers, parsed, time.monotonic() - started)


def link_token(message) -> str:
    """The `token` of the first link in an email's plain-text part."""
    for word in text_body(message).split():
        if "token=" in word:
            return parse_qs(urlparse(word).query)["token"][0]
    raise AssertionError(f"no link in: {text_body(message)}")


def _server_url(dbname: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{dbname}?host={host}"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{dbname}"


def _wait_until(predicate, what: str, process=None, log: Path | None = None):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        if predicate():
            return
        time.sleep(0.1)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not start\n{tail}")


@dataclass
class LiveIam:
    port: int
    env: dict
    smtp: SmtpCatcher
    workdir: Path
    processes: list = field(default_factory=list)

    def call(self, method, path, body=None, *, host="localhost", token=None):
        return http_call(self.port, method, path, body, host=host, token=token)

    def manage(self, *args, env=None):
        """Run a management command against the e2e database; fail loudly."""
        result = self.spawn_manage(*args, env=env)
        stdout, stderr = result.communicate(timeout=60)
        assert result.returncode == 0, stderr[-3000:]
        return stdout

    def spawn_manage(self, *args, env=None) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def start(self, name: str, args: list, env=None) -> subprocess.Popen:
        log = self.workdir / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log = log
        self.processes.append(process)
        return process

    def start_web(self, name: str = "web", port: int | None = None, env=None):
        """Start a Django server; return its port once it answers."""
        port = port or free_port()
        process = self.spawn_web(name, port, env)
        self.wait_for_web(process, port)
        return port

    def spawn_web(self, name: str, port: int, env=None) -> subprocess.Popen:
        return self.start(
            name,
            ["manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env,
        )

    def wait_for_web(self, process, port: int) -> None:
        def answers():
            try:
                http_call(port, "GET", "/.well-known/openid-configuration")
            except OSError:
                return False
            return True

        _wait_until(answers, "web server", process, process.log)

    def spawn_worker(self) -> subprocess.Popen:
        return self.start(
            "worker",
            [
                "-m",
                "celery",
                "-A",
                "iam_project",
                "worker",
                "--beat",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--queues",
                self.env["IAM_CELERY_QUEUE"],
                "--hostname",
                f"{self.env['IAM_CELERY_QUEUE']}@%h",
                "--schedule",
                str(self.workdir / "beat-schedule"),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
        )

    def wait_for_worker(self, process) -> None:
        _wait_until(
            lambda: " ready." in process.log.read_text(),
            "celery worker",
            process,
            process.log,
        )

    def stop(self, *processes: subprocess.Popen) -> None:
        """Ask each process to stop, then wait for all; kill the stubborn."""
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process in self.processes:
                self.processes.remove(process)

    def wait_for_email(self, address: str, count: int = 1):
        return self.smtp.wait_for(address, timeout=20, count=count)


@pytest.fixture(scope="session")
def live_iam(tmp_path_factory):
    """Database, SMTP server, Celery worker with beat, and the web server."""
    run_id = f"iam_e2e_{os.getpid()}_{secrets.token_hex(3)}"
    admin_url = _server_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{run_id}"')
    smtp = SmtpCatcher(maildir=tmp_path_factory.mktemp("mail")).start()
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "iam_project.settings",
        "DATABASE_URL": _server_url(run_id),
        "REDIS_URL": settings.REDIS_URL,
        # A queue and cache namespace of this run alone: other runs sharing
        # the Redis never take its tasks or read its cache.
        "IAM_CELERY_QUEUE": run_id,
        "IAM_CACHE_PREFIX": run_id,
        "IAM_TASKS_EAGER": "0",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "IAM_BEHIND_TLS": "0",
        "IAM_PLATFORM_HOST": "localhost",
        "ALLOWED_HOSTS": "localhost,.localhost,127.0.0.1",
        "IAM_ISSUER_BASE_URL": f"http://localhost:{port}",
        "IAM_TENANT_URL_TEMPLATE": f"http://{{domain}}:{port}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "DEFAULT_FROM_EMAIL": "iam@e2e.test",
        "IAM_OUTBOX_SWEEP_INTERVAL_SECONDS": "1",
        "IAM_OUTBOX_SWEEP_AGE_SECONDS": "1",
        "IAM_PLATFORM_OWNER_PASSWORD": OWNER_PASSWORD,
        "PYTHONUNBUFFERED": "1",
    }
    live = LiveIam(
        port=port, env=env, smtp=smtp, workdir=tmp_path_factory.mktemp("live_iam")
    )
    try:
        live.manage("migrate", "--noinput", "-v", "0")
        # The rest starts side by side: each is mostly Python start-up.
        worker = live.spawn_worker()
        web = live.spawn_web("web", port)
        owner = live.spawn_manage(
            "createplatformowner", "--email", OWNER_EMAIL, "--noinput"
        )
        live.wait_for_worker(worker)
        live.wait_for_web(web, port)
        _, errors = owner.communicate(timeout=60)
        assert owner.returncode == 0, errors[-3000:]
        yield live
    finally:
        live.stop(*live.processes)
        smtp.stop()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{run_id}" WITH (FORCE)')
        client = redis.Redis.from_url(settings.REDIS_URL)
        keys = list(client.scan_iter(match=f"*{run_id}*", count=1000))
        if keys:
            client.delete(*keys)


@dataclass
class E2eTenant:
    slug: str
    host: str
    root_email: str
    root_password: str
    root_token: str


@pytest.fixture(scope="module")
def e2e_tenant(live_iam):
    """A tenant made by `create_tenant` whose root set its password by email."""
    slug = f"t{secrets.token_hex(3)}"
    host = f"{slug}.localhost"
    root_email = f"root@{slug}.test"
    live_iam.manage(
        "create_tenant",
        slug,
        "--domain",
        host,
        "--root-email",
        root_email,
        "--name",
        f"E2E {slug}",
    )
    welcome = live_iam.wait_for_email(root_email)
    password = "the root user's long passphrase"
    reply = live_iam.call(
        "POST",
        "/iam/password/reset/confirm",
        {"token": link_token(welcome), "password": password},
        host=host,
    )
    assert reply.status == 200, reply.body
    token = reply.headers["authorization"].removeprefix("Bearer ")
    return E2eTenant(slug, host, root_email, password, token)
