"""`make demo` is a test too: the walk-through runs against the live stack."""

import subprocess
import sys

import pytest

from tests.e2e.conftest import OWNER_EMAIL, ROOT

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("live_iam")]

STEPS = [
    "1. The platform owner",
    "2. A tenant, whose root user sets a password from an email",
    "3. An access key, its token, and a service that checks it alone",
    "4. Alice: a user without rights, then with a read-only policy",
    "5. Alice changes her email address",
    "6. A second tenant refuses all of",
    "7. The audit log of",
]


def test_demo_walks_through_every_step_on_the_live_stack(live_iam):
    env = {
        **live_iam.env,
        "IAM_URL": f"http://localhost:{live_iam.port}",
        "IAM_PLATFORM_OWNER_EMAIL": OWNER_EMAIL,
        "IAM_DEMO_MAILDIR": str(live_iam.smtp.maildir),
    }

    result = subprocess.run(
        [sys.executable, "scripts/demo.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    lines = result.stdout.splitlines()
    for title in STEPS:
        assert any(line.startswith(title) for line in lines), title
    assert "Done: IAM answered every step as expected." in lines
