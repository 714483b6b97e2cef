"""Hand committed outbox emails to the broker from a thread of their own.

Publishing to Redis takes milliseconds and, with the broker down, up to its
connection timeout. Off the request thread, neither slows an API call nor
tells a caller by its timing whether an email was queued (a reset request
for a known address would otherwise answer measurably slower than for an
unknown one). A row whose publish is lost with the process is sent by the
periodic sweep.
"""

import logging
import queue
import threading

from django.conf import settings

logger = logging.getLogger(__name__)

_pending: queue.SimpleQueue = queue.SimpleQueue()
_started_lock = threading.Lock()
_thread: threading.Thread | None = None


def publish_later(*, outbox_id: int, schema_name: str) -> None:
    """Queue one outbox email for publishing; returns at once."""
    from notifications.services import enqueue_outbox_email

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker (development without Redis, tests): send in-process.
        enqueue_outbox_email(outbox_id=outbox_id, schema_name=schema_name)
        return
    _ensure_thread()
    _pending.put((outbox_id, schema_name))


def _ensure_thread() -> None:
    global _thread
    with _started_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(
                target=_publish_forever, name="outbox-publisher", daemon=True
            )
            _thread.start()


def _publish_forever() -> None:
    from notifications.services import enqueue_outbox_email

    while True:
        outbox_id, schema_name = _pending.get()
        try:
            enqueue_outbox_email(outbox_id=outbox_id, schema_name=schema_name)
        except Exception:
            logger.exception(
                "email publish failed outbox=%s schema=%s", outbox_id, schema_name
            )
