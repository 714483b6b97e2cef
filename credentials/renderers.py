"""The credential report as CSV: one line per user, one column group per key."""

import csv
import io

from django.conf import settings
from rest_framework.renderers import BaseRenderer

USER_COLUMNS = [
    "id",
    "urn",
    "email",
    "is_root",
    "is_active",
    "created_at",
    "email_confirmed",
    "unconfirmed_email",
    "password_enabled",
    "password_changed_at",
    "password_age_days",
    "last_login_at",
]
KEY_COLUMNS = ["access_key_id", "status", "created_at", "age_days", "last_used_at"]
# Spreadsheets run a cell that starts with one of these as a formula; an
# email such as "=HYPERLINK(...)@x.test" must stay text when the file is opened.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class CredentialReportCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        users = data["users"]
        key_slots = max(
            [settings.IAM_MAX_ACCESS_KEYS_PER_USER]
            + [len(user["access_keys"]) for user in users]
        )
        header = list(USER_COLUMNS)
        for slot in range(1, key_slots + 1):
            header += [f"access_key_{slot}_{column}" for column in KEY_COLUMNS]
        header += ["ssh_public_keys", "ssh_public_keys_active"]

        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for user in users:
            row = [user[column] for column in USER_COLUMNS]
            keys = user["access_keys"]
            for slot in range(key_slots):
                key = keys[slot] if slot < len(keys) else {}
                row += [key.get(column) for column in KEY_COLUMNS]
            ssh_keys = user["ssh_public_keys"]
            active = [key for key in ssh_keys if key["status"] == "active"]
            row += [len(ssh_keys), len(active)]
            writer.writerow([_cell(value) for value in row])
        return out.getvalue().encode(self.charset)
