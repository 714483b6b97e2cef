"""An SMTP server on loopback for development: each message becomes a file.

`make run` starts it when EMAIL_HOST is not set, so that the emails the
service sends can be read, by a person or by `make demo`, as .eml files
under var/mail/. It accepts mail for any address and relays none of it.

Usage: python scripts/mail_catcher.py [--port 1025] [--maildir var/mail]
"""

import argparse
import itertools
import signal
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
_sequence = itertools.count()


def save_message(maildir: Path, content: bytes) -> Path:
    """Write one message as <maildir>/<time>-<n>.eml; readers never see half."""
    maildir.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}-{next(_sequence):04d}.eml"
    partial = maildir / f".{name}.part"
    partial.write_bytes(content)
    # A rename within one directory is atomic: a reader polling the folder
    # finds either nothing or the whole message.
    return partial.replace(maildir / name)


class MaildirHandler:
    def __init__(self, maildir: Path):
        self.maildir = maildir

    async def handle_DATA(self, server, session, envelope):
        path = save_message(self.maildir, envelope.content)
        message = message_from_bytes(envelope.content, policy=policy.default)
        recipients = ", ".join(envelope.rcpt_tos)
        sys.stdout.write(
            f"mail to {recipients}: {message['Subject']!r} saved as {_shown(path)}\n"
        )
        sys.stdout.flush()
        return "250 Message accepted"


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--maildir", type=Path, default=ROOT / "var" / "mail")
    args = parser.parse_args()

    args.maildir.mkdir(parents=True, exist_ok=True)
    controller = Controller(
        MaildirHandler(args.maildir), hostname="127.0.0.1", port=args.port
    )
    try:
        controller.start()
    except OSError as error:
        sys.exit(f"The mail catcher cannot listen on 127.0.0.1:{args.port}: {error}")
    sys.stdout.write(
        f"Mail catcher on 127.0.0.1:{args.port}: "
        f"each email is saved under {_shown(args.maildir)}/\n"
    )
    sys.stdout.flush()

    # Serve until asked to stop (run.sh sends TERM when the server ends).
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
