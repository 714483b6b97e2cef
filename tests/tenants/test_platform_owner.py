import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from tenants.exceptions import PlatformOwnerExistsError
from tenants.models import PlatformOwner
from tenants.services import create_platform_owner

STRONG = "a long and unusual owner passphrase"


def test_database_refuses_a_second_platform_owner_row(db):
    PlatformOwner.objects.create(email="one@platform.test")

    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypass every service check: only the constraint stands in the way.
        PlatformOwner.objects.bulk_create([PlatformOwner(email="two@platform.test")])


def test_singleton_flag_cannot_be_false_to_dodge_the_constraint(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlatformOwner.objects.create(email="one@platform.test", singleton=False)


def test_service_refuses_a_second_owner_with_conflict(db):
    create_platform_owner(email="one@platform.test", password=STRONG)

    with pytest.raises(PlatformOwnerExistsError):
        create_platform_owner(email="two@platform.test", password=STRONG)


def test_createplatformowner_noinput_reads_the_password_from_env(db, monkeypatch):
    monkeypatch.setenv("IAM_PLATFORM_OWNER_PASSWORD", STRONG)

    call_command("createplatformowner", "--email", "boss@platform.test", "--noinput")

    owner = PlatformOwner.objects.get()
    assert owner.email == "boss@platform.test"
    assert owner.check_password(STRONG)


def test_createplatformowner_refuses_when_an_owner_exists(db, monkeypatch):
    monkeypatch.setenv("IAM_PLATFORM_OWNER_PASSWORD", STRONG)
    call_command("createplatformowner", "--email", "boss@platform.test", "--noinput")

    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "createplatformowner", "--email", "other@platform.test", "--noinput"
        )


def test_createplatformowner_noinput_without_password_fails(db, monkeypatch):
    monkeypatch.delenv("IAM_PLATFORM_OWNER_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="IAM_PLATFORM_OWNER_PASSWORD"):
        call_command(
            "createplatformowner", "--email", "boss@platform.test", "--noinput"
        )


def test_createplatformowner_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("IAM_PLATFORM_OWNER_PASSWORD", "short")

    with pytest.raises(CommandError, match="too short"):
        call_command(
            "createplatformowner", "--email", "boss@platform.test", "--noinput"
        )
    assert not PlatformOwner.objects.exists()
