"""Failed authentication is throttled per account and address, per account, per address."""

import pytest
from django_tenants.utils import tenant_context

from credentials import throttling
from iam_project.errors import TooManyAttemptsError


@pytest.fixture
def limits(settings):
    settings.IAM_THROTTLE_ACCOUNT_ATTEMPTS = 3
    settings.IAM_THROTTLE_ACCOUNT_GLOBAL_ATTEMPTS = 6
    settings.IAM_THROTTLE_ADDRESS_ATTEMPTS = 10
    settings.IAM_THROTTLE_WINDOW_SECONDS = 60
    return settings


def fail(times, account="alice@acme.test", address="10.0.0.1"):
    for _ in range(times):
        throttling.record_failure(scope="password", account=account, address=address)


def check(account="alice@acme.test", address="10.0.0.1"):
    throttling.check_allowed(scope="password", account=account, address=address)


def test_account_is_throttled_for_the_guessing_address(acme, limits):
    with tenant_context(acme):
        fail(3)

        with pytest.raises(TooManyAttemptsError) as error:
            check()

    assert 0 < error.value.retry_after_seconds <= 61


def test_guesses_from_one_address_do_not_lock_the_account_elsewhere(acme, limits):
    with tenant_context(acme):
        fail(3, address="203.0.113.66")

        check(address="198.51.100.7")


def test_guessing_spread_over_addresses_is_stopped_account_wide(acme, limits):
    with tenant_context(acme):
        for number in range(6):
            fail(1, address=f"203.0.113.{number}")

        with pytest.raises(TooManyAttemptsError):
            check(address="198.51.100.7")


def test_throttling_one_account_leaves_its_neighbour_alone(acme, limits):
    with tenant_context(acme):
        fail(3)

        check(account="bob@acme.test")


def test_same_account_name_in_another_tenant_is_not_throttled(acme, globex, limits):
    with tenant_context(acme):
        fail(3)

    with tenant_context(globex):
        check()


def test_address_is_throttled_across_accounts_and_tenants(acme, globex, limits):
    with tenant_context(acme):
        for number in range(10):
            fail(1, account=f"user{number}@acme.test")

    with tenant_context(globex), pytest.raises(TooManyAttemptsError):
        check(account="fresh@globex.test")


def test_success_clears_the_addresses_count_on_the_account(acme, limits):
    with tenant_context(acme):
        fail(2)
        throttling.record_success(
            scope="password", account="alice@acme.test", address="10.0.0.1"
        )
        fail(2)

        check()


@pytest.mark.parametrize(
    "variant", [" Alice@ACME.test ", "al\u0131ce@acme.test", "ALICE@ACME.TEST"]
)
def test_every_spelling_the_database_matches_shares_one_counter(acme, limits, variant):
    with tenant_context(acme):
        fail(3, account=variant)

        with pytest.raises(TooManyAttemptsError):
            check()
