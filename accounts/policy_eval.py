"""Policy documents: strict parsing, wildcard matching and evaluation.

This module is the one evaluator behind IAM's own enforcement and
`POST /iam/authorize`. It imports nothing outside the standard library (PyJWT
only inside `decide_from_token`), so a downstream Python service can copy
this file or import it and reach the same decisions from a token's `policies`
claim without calling IAM.

Evaluation follows AWS: a matching Deny wins, then a matching Allow,
otherwise the request is implicitly denied. Actions match case-insensitively
(`iam:getuser` is `iam:GetUser`); resources match case-sensitively. In both,
`*` matches any run of characters (also none) and `?` exactly one.
"""

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

ALLOW = "allow"
EXPLICIT_DENY = "explicit_deny"
IMPLICIT_DENY = "implicit_deny"

VERSION = "2012-10-17"
# AWS's limit for a managed policy, counted on compact JSON.
MAX_DOCUMENT_BYTES = 6144
MAX_STATEMENTS = 100
MAX_ACTION_LENGTH = 128
MAX_RESOURCE_LENGTH = 2048

_DOCUMENT_KEYS = {"Version", "Statement"}
_STATEMENT_KEYS = {"Sid", "Effect", "Action", "Resource"}
_EFFECTS = {"Allow", "Deny"}
_SID = re.compile(r"[A-Za-z0-9]{1,128}")
# `*`, or `service:Name`, either part possibly with wildcards.
_ACTION = re.compile(r"\*|[A-Za-z0-9*?-]+:[A-Za-z0-9_.*?-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
IAM_URN_PREFIX = "urn:iam:"


class PolicyDocumentError(ValueError):
    """A document broke the grammar; `errors` maps each bad path to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        path, messages = next(iter(errors.items()))
        super().__init__(f"{path}: {messages[0]}")


class Pattern:
    """A `*`/`?` pattern compiled once into fixed-width pieces.

    The pattern is split at `*`; each piece is a fixed-width regex in which
    every character but `?` is escaped, so policy text can never inject
    regex syntax. Matching anchors the first piece at the start and the last
    at the end and finds each middle piece leftmost in order. That greedy walk
    is exact for globs and never backtracks, so a pattern such as `*a*a*a*b`
    costs time proportional to its length times the value's, not
    exponential time.
    """

    __slots__ = ("text", "_exact", "_pieces", "_widths")

    def __init__(self, text: str, *, ignore_case: bool):
        self.text = text
        if ignore_case:
            text = text.lower()
        if "*" not in text and "?" not in text:
            self._exact = text
            return
        self._exact = None
        parts = text.split("*")
        self._widths = [len(part) for part in parts]
        self._pieces = [
            re.compile("".join("." if c == "?" else re.escape(c) for c in part), re.S)
            for part in parts
        ]

    def matches(self, value: str) -> bool:
        """Match a value already lowercased when the pattern ignores case."""
        if self._exact is not None:
            return value == self._exact
        pieces, widths = self._pieces, self._widths
        if len(pieces) == 1:
            return len(value) == widths[0] and pieces[0].fullmatch(value) is not None

        position = 0
        if widths[0]:
            if pieces[0].match(value) is None:
                return False
            position = widths[0]
        for piece, width in zip(pieces[1:-1], widths[1:-1], strict=True):
            if not width:
                continue
            found = piece.search(value, position)
            if found is None:
                return False
            position = found.end()
        last_start = len(value) - widths[-1]
        if last_start < position:
            return False
        return pieces[-1].fullmatch(value, last_start) is not None


@lru_cache(maxsize=8192)
def compile_pattern(text: str, ignore_case: bool) -> Pattern:
    """Compile a pattern once per process; documents repeat the same ones."""
    return Pattern(text, ignore_case=ignore_case)


@dataclass(frozen=True)
class Statement:
    """One validated statement with its patterns compiled.

    `source` names where it came from (a policy URN, or a built-in rule) and
    is never part of the document itself.
    """

    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    sid: str | None = None
    source: str | None = None
    _action_patterns: tuple[Pattern, ...] = field(init=False, repr=False, compare=False)
    _resource_patterns: tuple[Pattern, ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self):
        actions = tuple(compile_pattern(a, True) for a in self.actions)
        resources = tuple(compile_pattern(r, False) for r in self.resources)
        object.__setattr__(self, "_action_patterns", actions)
        object.__setattr__(self, "_resource_patterns", resources)

    def matches(self, lowered_action: str, resource: str) -> bool:
        return any(p.matches(lowered_action) for p in self._action_patterns) and any(
            p.matches(resource) for p in self._resource_patterns
        )

    def as_document(self) -> dict:
        """The statement as it appears in a document or a token claim."""
        statement = {"Sid": self.sid} if self.sid else {}
        statement["Effect"] = self.effect
        statement["Action"] = _compact(self.actions)
        statement["Resource"] = _compact(self.resources)
        return statement


def _compact(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


@dataclass(frozen=True)
class Result:
    decision: str
    statement: Statement | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOW


def _check_patterns(value, path, errors, *, kind, max_length, grammar=None):
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        errors[path] = ["Must be a string or a non-empty list of strings."]
        return ()
    for index, item in enumerate(values):
        item_path = path if isinstance(value, str) else f"{path}[{index}]"
        if not isinstance(item, str) or not item:
            errors[item_path] = ["Must be a non-empty string."]
        elif len(item) > max_length:
            errors[item_path] = [f"Must be at most {max_length} characters."]
        elif grammar is not None and not grammar.fullmatch(item):
            errors[item_path] = [f"Must be `*` or `service:{kind}`."]
        elif _CONTROL.search(item):
            errors[item_path] = ["Must not contain control characters."]
    return tuple(values)


def _parse_statement(raw, path: str, errors: dict, source) -> Statement | None:
    if not isinstance(raw, dict):
        errors[path] = ["Must be an object."]
        return None
    for key in raw:
        if key not in _STATEMENT_KEYS:
            errors[f"{path}.{key}"] = ["Unknown key."]
    for key in ("Effect", "Action", "Resource"):
        if key not in raw:
            errors[f"{path}.{key}"] = ["This key is required."]
    sid = raw.get("Sid")
    if sid is not None and (not isinstance(sid, str) or not _SID.fullmatch(sid)):
        errors[f"{path}.Sid"] = ["Must be 1 to 128 letters or digits."]
    effect = raw.get("Effect")
    # Hashing a list or object to look it up in the set would raise.
    if "Effect" in raw and (not isinstance(effect, str) or effect not in _EFFECTS):
        errors[f"{path}.Effect"] = ["Must be `Allow` or `Deny`."]
    actions = resources = ()
    if "Action" in raw:
        actions = _check_patterns(
            raw["Action"],
            f"{path}.Action",
            errors,
            kind="Action",
            max_length=MAX_ACTION_LENGTH,
            grammar=_ACTION,
        )
    if "Resource" in raw:
        resources = _check_patterns(
            raw["Resource"],
            f"{path}.Resource",
            errors,
            kind="Resource",
            max_length=MAX_RESOURCE_LENGTH,
        )
    if any(key == path or key.startswith(f"{path}.") for key in errors):
        return None
    return Statement(effect, actions, resources, sid=sid, source=source)


def _parse_list(raw, *, path, source, unique_sids) -> list[Statement]:
    errors: dict[str, list[str]] = {}
    statements, sids = [], set()
    for index, item in enumerate(raw):
        statement = _parse_statement(item, f"{path}[{index}]", errors, source)
        if statement is None:
            continue
        if unique_sids and statement.sid and statement.sid in sids:
            errors[f"{path}[{index}].Sid"] = ["Must be unique in the document."]
        sids.add(statement.sid)
        statements.append(statement)
    if errors:
        raise PolicyDocumentError(errors)
    return statements


def parse_statements(raw, *, path="Statement", source=None) -> list[Statement]:
    """Validate a document's `Statement` list: 1 to MAX_STATEMENTS, unique Sids."""
    if not isinstance(raw, list) or not raw:
        raise PolicyDocumentError({path: ["Must be a non-empty list of statements."]})
    if len(raw) > MAX_STATEMENTS:
        raise PolicyDocumentError({path: [f"At most {MAX_STATEMENTS} statements."]})
    return _parse_list(raw, path=path, source=source, unique_sids=True)


def parse_claim(raw) -> list[Statement]:
    """Validate a token's `policies` claim: statements merged from many documents.

    Sids may repeat there (two policies may both name a statement `Admin`).
    """
    if not isinstance(raw, list):
        raise PolicyDocumentError({"policies": ["Must be a list of statements."]})
    return _parse_list(raw, path="policies", source="token", unique_sids=False)


def parse_document(document, *, source=None) -> list[Statement]:
    """Validate a policy document strictly and return its statements.

    Raises PolicyDocumentError naming the path of every bad part, such as
    `Statement[0].Action`. Keys outside the grammar (NotAction, Condition,
    Principal, ...) are refused rather than ignored: silently dropping a
    condition would grant more than its author meant.
    """
    if not isinstance(document, dict):
        raise PolicyDocumentError({"document": ["Must be a JSON object."]})
    try:
        size = len(json.dumps(document, separators=(",", ":")).encode())
    except (TypeError, ValueError, RecursionError) as exc:
        raise PolicyDocumentError({"document": ["Must be plain JSON."]}) from exc
    if size > MAX_DOCUMENT_BYTES:
        raise PolicyDocumentError(
            {"document": [f"Must be at most {MAX_DOCUMENT_BYTES} bytes as JSON."]}
        )

    errors = {key: ["Unknown key."] for key in document if key not in _DOCUMENT_KEYS}
    if "Version" in document and document["Version"] != VERSION:
        errors["Version"] = [f"Must be `{VERSION}`."]
    statements = []
    try:
        statements = parse_statements(document.get("Statement"), source=source)
    except PolicyDocumentError as exc:
        errors.update(exc.errors)
    if errors:
        raise PolicyDocumentError(errors)
    return statements


def evaluate(statements: Iterable[Statement], action: str, resource: str) -> Result:
    """Decide one request: explicit Deny, else Allow, else implicit deny.

    The deciding statement comes back with the decision: the first matching
    Deny, or else the first matching Allow.
    """
    lowered_action = action.lower()
    allowing = None
    for statement in statements:
        if not statement.matches(lowered_action, resource):
            continue
        if statement.effect == "Deny":
            return Result(EXPLICIT_DENY, statement)
        if allowing is None:
            allowing = statement
    if allowing is not None:
        return Result(ALLOW, allowing)
    return Result(IMPLICIT_DENY)


class StatementIndex:
    """Statements grouped by the service their actions name.

    A statement whose every action pattern starts with a literal service
    (`svc:Get*`) can only match actions of that service; the rest (`*`,
    `s?c:*`) may match any. `candidates()` returns, in their original
    order, the statements that may match an action, so evaluating them
    decides exactly as evaluating all would, without walking hundreds of
    statements for other services.
    """

    __slots__ = ("statements", "_by_service", "_anywhere")

    def __init__(self, statements: Iterable[Statement]):
        self.statements = tuple(statements)
        self._by_service: dict[str, list[int]] = {}
        self._anywhere: list[int] = []
        for position, statement in enumerate(self.statements):
            services = {_literal_service(action) for action in statement.actions}
            if None in services:
                self._anywhere.append(position)
                continue
            for service in services:
                self._by_service.setdefault(service, []).append(position)

    def candidates(self, action: str) -> list[Statement]:
        service = action.partition(":")[0].lower()
        positions = self._by_service.get(service, [])
        if self._anywhere:
            positions = sorted({*positions, *self._anywhere})
        return [self.statements[position] for position in positions]


def _literal_service(action: str) -> str | None:
    service, colon, _ = action.partition(":")
    if not colon or "*" in service or "?" in service:
        return None
    return service.lower()


def canonical_resource(resource: str) -> str:
    """The one spelling of an `urn:iam:` resource; any other resource as given.

    IAM writes the scheme, the tenant slug and the kind in lowercase and a
    UUID id in its canonical form. Resources match case-sensitively, so
    without this `URN:IAM:beta:...` would slip past the tenant check and an
    upper-case id past a Deny (or the root guard) written for the canonical
    one. Ids that are not UUIDs (access keys, SSH keys) are kept as they are.
    """
    if resource[: len(IAM_URN_PREFIX)].lower() != IAM_URN_PREFIX:
        return resource
    tenant, colon, rest = resource[len(IAM_URN_PREFIX) :].partition(":")
    kind, slash, object_id = rest.partition("/")
    try:
        object_id = str(uuid.UUID(object_id))
    except ValueError:
        pass
    return f"{IAM_URN_PREFIX}{tenant.lower()}{colon}{kind.lower()}{slash}{object_id}"


def is_outside_tenant(resource: str, tenant: str | None) -> bool:
    """Whether a canonical `urn:iam:` resource belongs to another tenant.

    Platform resources (`urn:iam::tenant/...`) are outside every tenant, and
    with no tenant every `urn:iam:` resource is outside. Resources of other
    services are left to the policies.
    """
    if not resource.startswith(IAM_URN_PREFIX):
        return False
    return not tenant or not resource.startswith(f"{IAM_URN_PREFIX}{tenant}:")


class PoliciesUnavailableError(Exception):
    """The token holds no complete `policies` claim: ask IAM instead."""


def decide_from_token(
    token: str,
    action: str,
    resource: str,
    *,
    issuer: str,
    jwks_client,
    algorithms: Sequence[str] = ("ES256",),
    leeway_seconds: int = 5,
) -> Result:
    """Verify an IAM access token and decide locally from its claims.

    `issuer` is the tenant issuer you trust (pin it; never take it from the
    token) and `jwks_client` a `jwt.PyJWKClient` for `{issuer}/.well-known/
    jwks.json`. Raises `jwt.PyJWTError` for a bad token and
    PoliciesUnavailableError when the claim was left out for size
    (`policies_truncated`): then call `POST /iam/authorize`.

    A token is a snapshot: policy changes reach local decisions when the
    client's next token is issued, at most one token lifetime later.

    As in IAM, an `urn:iam:` resource of a tenant other than the token's
    `tenant` claim is denied (implicitly), root's token included. IAM's
    root guard (only root changes root's user and keys) is not applied:
    nothing in the token says which user is root. Root's own tokens are
    `root: true` and allowed; a service that lets other users change IAM
    users must ask IAM (`POST /iam/authorize`).
    """
    import jwt  # Only this helper needs PyJWT; the evaluator stays stdlib.

    signing_key = jwks_client.get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        signing_key.key,
        algorithms=list(algorithms),
        issuer=issuer,
        leeway=leeway_seconds,
        options={"require": ["exp", "iat", "iss", "sub"]},
    )
    resource = canonical_resource(resource)
    if is_outside_tenant(resource, claims.get("tenant")):
        return Result(IMPLICIT_DENY)
    if claims.get("root") is True:
        return Result(ALLOW)
    if claims.get("policies_truncated") or "policies" not in claims:
        raise PoliciesUnavailableError()
    return evaluate(parse_claim(claims["policies"]), action, resource)
