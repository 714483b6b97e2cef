"""Where a change came from, for the audit trail.

The transport facts of the current request (address, user agent, request
id, which credential was used) are not business input, so services do not
take them as arguments: the middleware and the authentication classes set
them here and `record_event` reads them. The acting principal is still
passed explicitly to every service.
"""

import contextvars
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Origin:
    client_ip: str | None = None
    user_agent: str = ""
    request_id: str = ""
    credential: str = ""
    access_key_id: str = ""
    impersonator: str = ""
    reason: str = ""


_origin: contextvars.ContextVar[Origin | None] = contextvars.ContextVar(
    "audit_origin", default=None
)


def current_origin() -> Origin:
    return _origin.get() or Origin()


def set_origin(origin: Origin) -> contextvars.Token:
    return _origin.set(origin)


def reset_origin(token: contextvars.Token) -> None:
    _origin.reset(token)


def update_origin(**changes) -> None:
    """Add facts learnt later in the request (e.g. by authentication)."""
    _origin.set(replace(current_origin(), **changes))
