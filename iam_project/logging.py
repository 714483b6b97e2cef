"""Log records carry the request id and the tenant of the request they serve."""

import logging
import re

from django.db import connection

from audit.context import current_origin


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_origin().request_id or "-"
        record.tenant = getattr(connection, "schema_name", "-") or "-"
        return True


_TOKEN_IN_URL = re.compile(r"([?&]token=)[^&\s\"]+")


class RedactLinkTokensFilter(logging.Filter):
    """Blank the `token` query parameter of email links in any log line.

    The development server logs every request line, and a link's token
    sets a password: whoever reads the log must not be able to use it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "token=" in record.msg:
            record.msg = _TOKEN_IN_URL.sub(r"\1[redacted]", record.msg)
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_URL.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True
