"""Helpers for tests that read the emails the service sent."""

import re

from django.core import mail

_TOKEN = re.compile(r"[?&]token=([A-Za-z0-9._-]+)")


def sent_to(address: str) -> list:
    """The emails of this test's mail.outbox addressed to one recipient."""
    return [message for message in mail.outbox if address in message.to]


def only_email_to(address: str):
    messages = sent_to(address)
    assert len(messages) == 1, [message.subject for message in mail.outbox]
    return messages[0]


def link_token(message) -> str:
    """The token of the one link in an email's plain-text body."""
    match = _TOKEN.search(message.body)
    assert match, message.body
    return match.group(1)


def html_part(message) -> str:
    (content, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return content
