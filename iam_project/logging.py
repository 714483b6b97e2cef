"""Log records carry the request id and the tenant of the request they serve."""

import logging

from django.db import connection

from audit.context import current_origin


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_origin().request_id or "-"
        record.tenant = getattr(connection, "schema_name", "-") or "-"
        return True
