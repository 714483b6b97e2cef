"""`manage.py create_access_key`: prints a working key once, fails clearly."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import IamClient


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_access_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def parse(output):
    return dict(line.split("=", 1) for line in output.splitlines())


def test_command_prints_an_id_and_secret_that_log_in(acme, alice):
    out, _ = run("--tenant", "acme", "--email", "ALICE@acme.test")

    values = parse(out)
    response = IamClient("acme.localhost").call(
        "POST",
        "/iam/auth/token",
        {
            "access_key_id": values["access_key_id"],
            "secret_access_key": values["secret_access_key"],
        },
    )
    assert set(values) == {"access_key_id", "secret_access_key"}
    assert response.status_code == 200


def test_command_works_for_a_root_without_a_password(acme):
    out, err = run("--tenant", "acme", "--email", "root@acme.test")

    assert parse(out)["access_key_id"].startswith("IAMK")
    assert "cannot be shown again" in err


def test_command_refuses_an_unknown_tenant(db):
    with pytest.raises(CommandError, match="No tenant"):
        run("--tenant", "nosuch", "--email", "root@acme.test")


def test_command_refuses_an_unknown_email(acme):
    with pytest.raises(CommandError, match="No user"):
        run("--tenant", "acme", "--email", "nobody@acme.test")


def test_command_refuses_a_user_of_another_tenant(acme, globex):
    with pytest.raises(CommandError, match="No user"):
        run("--tenant", "globex", "--email", "root@acme.test")


def test_command_reports_the_key_limit(acme, alice):
    run("--tenant", "acme", "--email", alice.email)
    run("--tenant", "acme", "--email", alice.email)

    with pytest.raises(CommandError, match="maximum number of access keys"):
        run("--tenant", "acme", "--email", alice.email)
