"""Walk through IAM's whole job against a running service, saying each step.

Start the service with `make run`, then run `make demo` in a second terminal.
The demo talks HTTP to the service like any client (the standard library
and PyJWT only), reads the emails that the mail catcher of `make run` saves
under var/mail/, and stops at the first answer it did not expect. Each run
makes fresh tenants (acme, then acme-2, ...), so it can run again and again.

Environment:
  IAM_URL                      the service (default http://localhost:8000)
  IAM_PLATFORM_HOST            the platform's host name (default localhost)
  IAM_PLATFORM_OWNER_EMAIL     default owner@example.com
  IAM_PLATFORM_OWNER_PASSWORD  default: a demo passphrase; logs the owner in,
                               or creates the owner when there is none
  IAM_DEMO_MAILDIR             where emails arrive as .eml files (var/mail)
"""

import base64
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email import message_from_bytes, policy
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt

ROOT = Path(__file__).resolve().parent.parent
MAIL_WAIT_SECONDS = 20
DEFAULT_OWNER_EMAIL = "owner@example.com"
# The README's example owner, so that its curl session and the demo may come
# in either order.
DEFAULT_OWNER_PASSWORD = "choose a long passphrase"
ROOT_PASSWORD = "violet kettle under the stairs"
ALICE_PASSWORD = "seven lanterns over quiet water"
# What the audit log must show of steps 2 to 5: (actor, action, outcome).
EXPECTED_EVENTS = [
    ("owner", "iam:CreateTenant", "success"),
    ("owner", "iam:CreateUser", "success"),
    ("root", "iam:ResetPassword", "success"),
    ("root", "iam:CreateAccessKey", "success"),
    ("root", "iam:CreateUser", "success"),
    ("alice", "iam:ResetPassword", "success"),
    ("root", "iam:AttachPolicy", "success"),
    ("alice", "iam:UpdateUser", "success"),
    ("alice", "iam:ConfirmEmail", "success"),
    ("alice", "iam:Login", "success"),
    ("(anonymous)", "iam:Login", "failure"),
]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The demo's own calls go straight to the service, never through a proxy.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class DemoError(Exception):
    """An answer the demo did not expect; the run stops and says why."""


# --- Saying what happens ------------------------------------------------------

_line_open = False


def say(text: str = "") -> None:
    global _line_open
    if _line_open:
        sys.stdout.write("\n")
        _line_open = False
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def step(number: int, title: str) -> None:
    say()
    say(f"{number}. {title}")


def doing(text: str) -> None:
    """Start a line that `done` ends: '   Creating ... 201 Created'."""
    global _line_open
    if _line_open:
        sys.stdout.write("\n")
    sys.stdout.write(f"   {text} ... ")
    sys.stdout.flush()
    _line_open = True


def done(text: str) -> None:
    global _line_open
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()
    _line_open = False


def detail(text: str) -> None:
    say(f"        {text}")


def short(secret: str, keep: int = 12) -> str:
    """Enough of a token or secret to recognize it, not enough to use it."""
    return secret if len(secret) <= keep else f"{secret[:keep]}…"


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --- HTTP ---------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: object
    body: object

    @property
    def outcome(self) -> str:
        """'201 Created', or '403 permission_denied' for an error."""
        if isinstance(self.body, dict) and "error" in self.body:
            return f"{self.status} {self.body['error']['code']}"
        return f"{self.status} {HTTPStatus(self.status).phrase}"

    def bearer(self) -> str:
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Bearer "):
            raise DemoError("IAM's answer carries no Authorization: Bearer header.")
        return header.removeprefix("Bearer ")


class Iam:
    """Calls to one IAM server; each names the host it is meant for."""

    def __init__(self, url: str, platform_host: str):
        parts = urlsplit(url)
        self.url = f"{parts.scheme}://{parts.netloc}"
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.platform = self.host(platform_host)

    def host(self, name: str) -> str:
        """The Host header for a host name on this server's port."""
        return name if self.port in (80, 443) else f"{name}:{self.port}"

    def call(self, method, path, body=None, *, host, token=None, key=None) -> Reply:
        headers = {"Host": host, "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if key:
            pair = f"{key['access_key_id']}:{key['secret_access_key']}".encode()
            headers["Authorization"] = f"Basic {base64.b64encode(pair).decode()}"
        # Only IAM_URL's server is ever called, over http(s).
        request = urllib.request.Request(  # noqa: S310
            self.url + path, data=data, method=method, headers=headers
        )
        try:
            with _opener.open(request, timeout=30) as response:
                status, reply_headers = response.status, response.headers
                raw = response.read()
        except urllib.error.HTTPError as error:
            status, reply_headers, raw = error.code, error.headers, error.read()
        except urllib.error.URLError as error:
            raise DemoError(
                f"no answer from {self.url} ({error.reason}). Start the service "
                "with `make run` in another terminal, or point IAM_URL at it."
            ) from error
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return Reply(status, reply_headers, parsed)


def expect(reply: Reply, status: int) -> Reply:
    if reply.status != status:
        raise DemoError(
            f"expected {status}, IAM answered {reply.outcome}: {reply.body}"
        )
    return reply


# --- Email --------------------------------------------------------------------


@dataclass
class Mail:
    path: Path
    subject: str
    text: str
    waited_seconds: float

    def link(self) -> str:
        for word in self.text.split():
            if word.startswith(("http://", "https://")) and "token=" in word:
                return word
        raise DemoError(f"no link in the email {self.subject!r}")


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


class Mailbox:
    """The mail catcher's .eml files, ignoring those there before the demo."""

    def __init__(self, maildir: Path):
        self.maildir = maildir
        self._read = set(self._names())

    def _names(self) -> list[str]:
        if not self.maildir.is_dir():
            return []
        return sorted(path.name for path in self.maildir.glob("*.eml"))

    def wait_for(self, address: str) -> Mail:
        """The next message to an address, waiting at most MAIL_WAIT_SECONDS."""
        started = time.monotonic()
        while time.monotonic() - started < MAIL_WAIT_SECONDS:
            for name in self._names():
                if name in self._read:
                    continue
                path = self.maildir / name
                message = message_from_bytes(path.read_bytes(), policy=policy.default)
                if address.lower() not in str(message["To"]).lower():
                    continue
                self._read.add(name)
                text = message.get_body(preferencelist=("plain",)).get_content()
                waited = time.monotonic() - started
                return Mail(path, str(message["Subject"]), text, waited)
            time.sleep(0.2)
        raise DemoError(
            f"no email to {address} arrived in {shown(self.maildir)}/ within "
            f"{MAIL_WAIT_SECONDS} s. `make run` saves emails there unless "
            "EMAIL_HOST names another SMTP server; its terminal shows the "
            "worker's errors, if any."
        )


# --- A downstream service -----------------------------------------------------


class CountingJWKClient(jwt.PyJWKClient):
    """PyJWT's JWKS client, counting how often it fetches the key set."""

    fetches = 0

    def fetch_data(self):
        self.fetches += 1
        return super().fetch_data()


class Verifier:
    """What another service does with a token: check it with public keys.

    It trusts one issuer, fetches that issuer's JWKS once and caches it, and
    never sends a token to IAM.
    """

    def __init__(self, issuer: str):
        self.issuer = issuer
        self.jwks = CountingJWKClient(f"{issuer}/.well-known/jwks.json")

    def verify(self, token: str) -> dict:
        key = self.jwks.get_signing_key_from_jwt(token)
        return jwt.decode(
            token,
            key.key,
            algorithms=["ES256"],
            issuer=self.issuer,
            options={"require": ["iss", "sub", "exp", "iat"]},
        )


def claims_of(token: str) -> dict:
    """A token's claims, read without checking them (for showing only)."""
    return jwt.decode(token, options={"verify_signature": False})


# --- The walk-through ---------------------------------------------------------


class Demo:
    def __init__(self, iam: Iam, mailbox: Mailbox):
        self.iam = iam
        self.mailbox = mailbox
        # Names for the URNs met on the way, so that the audit table reads.
        self.names: dict[str, str] = {}

    def run(self) -> None:
        self.log_in_the_platform_owner()
        self.create_a_tenant_whose_root_sets_a_password()
        self.check_an_access_key_token_downstream()
        self.grant_alice_read_access()
        self.change_alice_email()
        self.refuse_acme_credentials_in_another_tenant()
        self.show_the_audit_log()
        self.say_where_to_look_next()

    def ask(self, label, request, body=None, *, status=200, host=None, **auth):
        """Say what is asked, ask it, check the status, say the answer.

        `request` is "METHOD /path"; `auth` is token= or key=.
        """
        method, path = request.split(" ", 1)
        shown_path = UUID.sub("{id}", path.split("?")[0])
        doing(f"{label} ({method} {shown_path})")
        reply = self.iam.call(method, path, body, host=host or self.host, **auth)
        done(expect(reply, status).outcome)
        return reply

    def receive(self, address: str, what: str) -> Mail:
        doing(f"Waiting for {what} to {address}")
        mail = self.mailbox.wait_for(address)
        done(f"arrived after {mail.waited_seconds:.1f} s")
        detail(f"subject {mail.subject!r}, saved as {shown(mail.path)}")
        return mail

    # 1 ---------------------------------------------------------------------

    def log_in_the_platform_owner(self) -> None:
        step(1, "The platform owner")
        email = os.environ.get("IAM_PLATFORM_OWNER_EMAIL", DEFAULT_OWNER_EMAIL)
        password = os.environ.get("IAM_PLATFORM_OWNER_PASSWORD", DEFAULT_OWNER_PASSWORD)
        credentials = {"email": email, "password": password}
        platform = self.iam.platform

        doing(f"Logging in as {email} on the platform host {platform}")
        login = self.iam.call("POST", "/iam/auth/token", credentials, host=platform)
        if login.status == 401:
            done(f"{login.outcome}: no owner with this email and password")
            self._create_owner(email, password)
            login = self.ask(
                f"Logging in as {email}", "POST /iam/auth/token", credentials,
                host=platform,
            )  # fmt: skip
        else:
            done(f"{expect(login, 200).outcome}: the owner exists already")

        self.owner_token = login.body["access_token"]
        claims = claims_of(self.owner_token)
        self.names[claims["sub"]] = "owner"
        detail(f"an access token for {claims['sub']}")
        detail(f"issued by {claims['iss']}, valid {login.body['expires_in']} s")

    def _create_owner(self, email: str, password: str) -> None:
        command = ["manage.py", "createplatformowner", "--email", email, "--noinput"]
        doing(f"Creating the owner: {' '.join(command)}")
        result = subprocess.run(
            [sys.executable, *command],
            cwd=ROOT,
            env={**os.environ, "IAM_PLATFORM_OWNER_PASSWORD": password},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0:
            done("done")
            return
        if "already exists" in result.stderr:
            done("refused: there is an owner already")
            raise DemoError(
                f"the platform owner exists, but {email} does not log in with "
                "the demo's password.\n   Tell the demo the owner's email and "
                "password:\n   IAM_PLATFORM_OWNER_EMAIL=... "
                "IAM_PLATFORM_OWNER_PASSWORD=... make demo"
            )
        done("failed")
        last_lines = "\n".join(result.stderr.strip().splitlines()[-3:])
        raise DemoError(f"createplatformowner failed:\n{last_lines}")

    # 2 ---------------------------------------------------------------------

    def create_a_tenant_whose_root_sets_a_password(self) -> None:
        step(2, "A tenant, whose root user sets a password from an email")
        self.slug = self._create_tenant("acme", "Acme")
        self.host = self.iam.host(f"{self.slug}.localhost")
        self.root_email = f"root@{self.slug}.example"

        welcome = self.receive(self.root_email, "the welcome email")
        link = welcome.link()
        detail(f"its link: {short(link, 64)}")
        parts = urlsplit(link)
        self.ask(
            "Following it, as a browser would",
            f"GET {parts.path}?{parts.query}",
            host=parts.netloc,
        )
        detail("an HTML form that asks for a new password")

        reply = self.ask(
            "Setting root's password with the link's token",
            "POST /iam/password/reset/confirm",
            {"token": token_of(link), "password": ROOT_PASSWORD},
        )
        self.root_token = reply.bearer()
        self.names[reply.body["urn"]] = "root"
        detail(f"email_confirmed: {json.dumps(reply.body['email_confirmed'])}")
        detail(f"header Authorization: Bearer {short(self.root_token, 16)}")

        me = self.ask(
            "Root is logged in by that token", "GET /iam/users/me",
            token=self.root_token,
        )  # fmt: skip
        detail(f"{me.body['email']}, is_root: {json.dumps(me.body['is_root'])}")

    def _create_tenant(self, wanted: str, name: str) -> str:
        """Create `wanted`, or wanted-2, -3... when earlier runs took it."""
        slug, number = wanted, 1
        while self._as_owner(f"GET /iam/tenants/{slug}").status != 404:
            number += 1
            slug = f"{wanted}-{number}"
        if number > 1:
            say(f"   ({wanted} is left from an earlier run: this run makes {slug})")
            name = f"{name} {number}"

        body = {
            "slug": slug,
            "name": name,
            "domain": f"{slug}.localhost",
            "root_email": f"root@{slug}.example",
        }
        doing(f"The owner creates tenant {slug} (POST /iam/tenants)")
        reply = expect(self._as_owner("POST /iam/tenants", body), 201)
        done(reply.outcome)
        self.names[reply.body["urn"]] = f"tenant {slug}"
        detail(f"{reply.body['urn']}, domain {body['domain']}")
        detail(f"root user {body['root_email']}")
        return slug

    def _as_owner(self, request: str, body=None) -> Reply:
        method, path = request.split(" ", 1)
        platform = self.iam.platform
        return self.iam.call(method, path, body, host=platform, token=self.owner_token)

    # 3 ---------------------------------------------------------------------

    def check_an_access_key_token_downstream(self) -> None:
        step(3, "An access key, its token, and a service that checks it alone")
        reply = self.ask(
            "Root creates an access key", "POST /iam/users/me/credentials",
            status=201, token=self.root_token,
        )  # fmt: skip
        self.key = reply.body
        self.names[self.key["urn"]] = "root's key"
        secret = short(self.key["secret_access_key"], 6)
        detail(f"access_key_id: {self.key['access_key_id']}")
        detail(f"secret_access_key: {secret} (shown once; IAM keeps an HMAC of it)")

        reply = self.ask(
            "Exchanging the key for a token", "POST /iam/auth/token",
            self._key_pair(),
        )  # fmt: skip
        self.key_token = reply.body["access_token"]
        self.refresh_token = reply.body["refresh_token"]
        claims = claims_of(self.key_token)
        detail(f"claims: auth={claims['auth']} akid={claims['akid']}")
        detail(f"        tenant={claims['tenant']} iss={claims['iss']}")

        self.issuer = claims["iss"]
        verifier = Verifier(self.issuer)
        say(f"   A downstream service that trusts {self.issuer}:")
        doing("checks the key's token with the keys of /.well-known/jwks.json")
        checked = self._verify(verifier, self.key_token)
        kid = jwt.get_unverified_header(self.key_token)["kid"]
        done(f"valid, signed by key {kid}")
        detail(f"sub {checked['sub']}")
        doing("checks root's password token too")
        self._verify(verifier, self.root_token)
        done("valid")
        fetches = verifier.jwks.fetches
        detail(f"{fetches} fetch of the public keys; no token was sent to IAM")

    def _key_pair(self) -> dict:
        return {
            "access_key_id": self.key["access_key_id"],
            "secret_access_key": self.key["secret_access_key"],
        }

    @staticmethod
    def _verify(verifier: Verifier, token: str) -> dict:
        try:
            return verifier.verify(token)
        except jwt.PyJWTError as error:
            raise DemoError(f"the downstream check refused a token: {error}") from error

    # 4 ---------------------------------------------------------------------

    def grant_alice_read_access(self) -> None:
        step(4, "Alice: a user without rights, then with a read-only policy")
        self.alice_email = f"alice@{self.slug}.example"
        reply = self.ask(
            f"Root creates the user {self.alice_email}", "POST /iam/users",
            {"email": self.alice_email, "name": "Alice"},
            status=201, token=self.root_token,
        )  # fmt: skip
        self.alice = reply.body
        self.names[self.alice["urn"]] = "alice"
        detail(self.alice["urn"])

        welcome = self.receive(self.alice_email, "the welcome email")
        reply = self.ask(
            "Alice sets her password with its link",
            "POST /iam/password/reset/confirm",
            {"token": token_of(welcome.link()), "password": ALICE_PASSWORD},
        )
        self.alice_token = reply.bearer()
        detail("the Authorization header logs her in")

        users = f"urn:iam:{self.slug}:user/*"
        self.ask(
            "Alice lists the users", "GET /iam/users",
            status=403, token=self.alice_token,
        )  # fmt: skip
        self._explain_to_alice("iam:ListUsers", users)

        read_only = self._find_policy("IamReadOnlyAccess")
        self.ask(
            "Root attaches it to alice",
            f"PUT /iam/users/{self.alice['id']}/policies/{read_only['id']}",
            status=204,
            token=self.root_token,
        )
        listed = self.ask(
            "Alice lists the users again", "GET /iam/users", token=self.alice_token
        )
        emails = ", ".join(user["email"] for user in listed.body["results"])
        detail(f"{listed.body['count']} users: {emails}")
        self._explain_to_alice("iam:ListUsers", users)

    def _explain_to_alice(self, action: str, resource: str) -> None:
        reply = self.ask(
            f"IAM explains {action} on {resource}", "POST /iam/authorize",
            {"action": action, "resource": resource}, token=self.alice_token,
        )  # fmt: skip
        answer = reply.body
        allowed = json.dumps(answer["allowed"])
        detail(f"allowed: {allowed}, decision: {answer['decision']}")
        if answer.get("policy"):
            policy_name = self.names.get(answer["policy"], answer["policy"])
            detail(f"by statement {answer.get('sid')} of policy {policy_name}")
        else:
            detail("no statement of hers allows it, so it is denied")

    def _find_policy(self, name: str) -> dict:
        reply = self.ask(
            f"Root looks up the managed policy {name}",
            "GET /iam/policies?page_size=200",
            token=self.root_token,
        )
        for found in reply.body["results"]:
            if found["name"] == name:
                self.names[found["urn"]] = name
                detail(found["urn"])
                detail(f"statements: {json.dumps(found['document']['Statement'])}")
                return found
        raise DemoError(f"no policy named {name} in the tenant")

    # 5 ---------------------------------------------------------------------

    def change_alice_email(self) -> None:
        step(5, "Alice changes her email address")
        old_email, new_email = self.alice_email, f"alice.smith@{self.slug}.example"
        reply = self.ask(
            f"Alice asks for {new_email}", "PATCH /iam/users/me",
            {"email": new_email}, token=self.alice_token,
        )  # fmt: skip
        detail(f"email: {reply.body['email']}")
        detail(f"unconfirmed_email: {reply.body['unconfirmed_email']}")

        confirmation = self.receive(new_email, "the confirmation email")
        self.receive(old_email, "a notice")
        detail("(its link would cancel the change)")
        reply = self.ask(
            "Alice confirms with the link's token", "POST /iam/email/confirm",
            {"token": token_of(confirmation.link())},
        )  # fmt: skip
        detail(f"email: {reply.body['email']}")
        detail(f"unconfirmed_email: {json.dumps(reply.body['unconfirmed_email'])}")

        login = self.ask(
            f"Alice logs in as {new_email}", "POST /iam/auth/token",
            {"email": new_email, "password": ALICE_PASSWORD},
        )  # fmt: skip
        self.alice_token = login.body["access_token"]
        self.alice_email = new_email
        self.ask(
            f"The old address {old_email} no longer logs in", "POST /iam/auth/token",
            {"email": old_email, "password": ALICE_PASSWORD}, status=401,
        )  # fmt: skip

    # 6 ---------------------------------------------------------------------

    def refuse_acme_credentials_in_another_tenant(self) -> None:
        step(6, f"A second tenant refuses all of {self.slug}'s credentials")
        other = self._create_tenant("globex", "Globex")
        other_host = self.iam.host(f"{other}.localhost")
        alice_login = {"email": self.alice_email, "password": ALICE_PASSWORD}
        attempts = [
            ("root's token", "GET /iam/users/me", None, {"token": self.root_token}),
            ("alice's token", "GET /iam/users/me", None, {"token": self.alice_token}),
            ("root's access key", "GET /iam/users/me", None, {"key": self.key}),
            ("root's access key", "POST /iam/auth/token", self._key_pair(), {}),
            ("alice's password", "POST /iam/auth/token", alice_login, {}),
            (
                "root's refresh token",
                "POST /iam/auth/refresh",
                {"refresh_token": self.refresh_token},
                {},
            ),
        ]
        say(f"   On {other}'s host {other_host}, with {self.slug}'s credentials:")
        for label, request, body, auth in attempts:
            self.ask(
                f"  {label:<20}", request, body, status=401, host=other_host, **auth
            )

        other_issuer = f"{self.issuer.rsplit('/', 1)[0]}/{other}"
        doing(f"A service that trusts {other}'s issuer checks root's token")
        try:
            Verifier(other_issuer).verify(self.root_token)
        except jwt.PyJWTError as error:
            done(f"refused: {error}")
        else:
            raise DemoError(f"a verifier of {other} accepted a token of {self.slug}")

    # 7 ---------------------------------------------------------------------

    def show_the_audit_log(self) -> None:
        step(7, f"The audit log of {self.slug}")
        reply = self.ask(
            "Root reads it", "GET /iam/audit-events?page_size=200",
            token=self.root_token,
        )  # fmt: skip
        rows = [
            (
                event["occurred_at"][11:19],
                self._name(event["actor"]) or "(anonymous)",
                event["credential"],
                event["action"],
                self._name(event["target"]),
                event["outcome"],
                self._describe(event["details"]),
            )
            for event in reversed(reply.body["results"])
        ]
        header = (
            "time (UTC)",
            "actor",
            "with",
            "action",
            "target",
            "outcome",
            "details",
        )
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(7)]
        say()
        for row in [header, tuple("-" * width for width in widths), *rows]:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            say("   " + "  ".join(cells).rstrip())
        say()
        say("   (The refusals of step 6 are in the other tenant's own log.)")

        logged = {(row[1], row[3], row[5]) for row in rows}
        missing = [event for event in EXPECTED_EVENTS if event not in logged]
        if missing:
            raise DemoError(f"the audit log lacks these events: {missing}")

    def _name(self, urn: str) -> str:
        if not urn or urn in self.names:
            return self.names.get(urn, "")
        # An object the demo did not meet keeps its kind and part of its id.
        kind, _, ident = urn.rpartition(":")[2].partition("/")
        return f"{kind}/{ident[:8]}" if ident else urn

    def _describe(self, details: dict) -> str:
        parts = []
        for name, value in details.items():
            if isinstance(value, str) and value.startswith("urn:"):
                value = self._name(value)
            elif not isinstance(value, str):
                value = json.dumps(value)
            parts.append(f"{name}={value}")
        return " ".join(parts)

    def say_where_to_look_next(self) -> None:
        say()
        say("Done: IAM answered every step as expected.")
        admin = f"{urlsplit(self.iam.url).scheme}://{self.host}/admin/"
        say(f"   {self.slug}'s admin console: {admin}")
        say(f"   (log in as {self.root_email}, password {ROOT_PASSWORD!r})")


def main() -> int:
    url = os.environ.get("IAM_URL", "http://localhost:8000").rstrip("/")
    platform_host = os.environ.get("IAM_PLATFORM_HOST", "localhost")
    maildir = Path(os.environ.get("IAM_DEMO_MAILDIR") or ROOT / "var" / "mail")
    iam = Iam(url, platform_host)

    say(f"IAM walk-through against {iam.url}")
    say(f"   Platform host: {iam.platform}. Tenant hosts such as acme.localhost")
    say("   are sent as the Host header to the same address.")
    say(f"   Emails are read from {shown(maildir)}/, where `make run` saves them.")
    try:
        health = iam.call("GET", "/healthz", host=iam.platform)
        if health.status != 200:
            raise DemoError(f"{iam.url}/healthz answered {health.outcome}")
        Demo(iam, Mailbox(maildir)).run()
    except DemoError as error:
        say()
        say(f"The demo stopped: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
