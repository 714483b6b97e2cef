"""One guard around every proof of identity: throttle, audit, count.

Password logins, access-key logins, email-link tokens and admin log-ins
all run inside `login_attempt`. Before the check it refuses a throttled
account or address with 429; a failed check is counted against both and
recorded in the tenant's audit trail; a success clears the account's
failures. The answer to the client does not change with any of this.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field

from audit.context import current_origin
from audit.models import AuditEvent
from audit.services import record_event
from credentials import throttling
from iam_project.errors import EmailNotConfirmedError, IAMError, TooManyAttemptsError
from iam_project.metrics import count_login

logger = logging.getLogger(__name__)


@dataclass
class Attempt:
    principal: object = None
    details: dict = field(default_factory=dict)

    def succeeded(self, principal) -> None:
        self.principal = principal


@contextmanager
def login_attempt(
    *,
    scope: str,
    account: object,
    action: str = "iam:Login",
    audit_success: bool = True,
):
    """Guard one authentication check; see the module docstring.

    `account` is what the client typed (email, key id, token): it keys the
    throttle and is never stored. `audit_success` is off for checks made on
    every request (Basic authentication), whose successes would flood the trail.
    """
    account = account if isinstance(account, str) else ""
    address = current_origin().client_ip or "unknown"
    try:
        had_failures = throttling.check_allowed(
            scope=scope, account=account, address=address
        )
    except TooManyAttemptsError:
        record_event(
            actor=None,
            action=action,
            outcome=AuditEvent.Outcome.THROTTLED,
            credential=scope,
        )
        count_login(method=scope, outcome="throttled")
        raise

    attempt = Attempt()
    try:
        yield attempt
    except EmailNotConfirmedError:
        # The password was right: not a guess, so not counted against anyone.
        count_login(method=scope, outcome="email_not_confirmed")
        raise
    except IAMError as error:
        throttling.record_failure(scope=scope, account=account, address=address)
        record_event(
            actor=None,
            action=action,
            outcome=AuditEvent.Outcome.FAILURE,
            credential=scope,
            details={"error": error.code},
        )
        count_login(method=scope, outcome="failure")
        raise

    if had_failures:
        throttling.record_success(scope=scope, account=account, address=address)
    count_login(method=scope, outcome="success")
    if audit_success and attempt.principal is not None:
        record_event(
            actor=attempt.principal,
            action=action,
            target=getattr(attempt.principal, "urn", ""),
            credential=scope,
        )
