"""Failed authentication is throttled per tenant account and per address."""

import pytest
from django_tenants.utils import tenant_context

from credentials import throttling
from iam_project.errors import TooManyAttemptsError


@pytest.fixture
def limits(settings):
    settings.IAM_THROTTLE_ACCOUNT_ATTEMPTS = 3
    settings.IAM_THROTTLE_ADDRESS_ATTEMPTS = 10
    settings.IAM_THROTTLE_WINDOW_SECONDS = 60
    return settings


def fail(times, account="alice@acme.test", address="10.0.0.1"):
    for _ in range(times):
        throttling.record_failure(scope="password", account=account, address=address)


def test_account_is_throttled_after_its_limit(acme, limits):
    with tenant_context(acme):
        fail(3)

        with pytest.raises(TooManyAttemptsError) as error:
            throttling.check_allowed(
                scope="password", account="alice@acme.test", address="10.0.0.2"
            )

    assert 0 < error.value.retry_after_seconds <= 61


def test_throttling_one_account_leaves_its_neighbour_alone(acme, limits):
    with tenant_context(acme):
        fail(3)

        throttling.check_allowed(
            scope="password", account="bob@acme.test", address="10.0.0.2"
        )


def test_same_account_name_in_another_tenant_is_not_throttled(acme, globex, limits):
    with tenant_context(acme):
        fail(3)

    with tenant_context(globex):
        throttling.check_allowed(
            scope="password", account="alice@acme.test", address="10.0.0.2"
        )


def test_address_is_throttled_across_accounts_and_tenants(acme, globex, limits):
    with tenant_context(acme):
        for number in range(10):
            fail(1, account=f"user{number}@acme.test")

    with tenant_context(globex), pytest.raises(TooManyAttemptsError):
        throttling.check_allowed(
            scope="password", account="fresh@globex.test", address="10.0.0.1"
        )


def test_success_clears_the_account_counter(acme, limits):
    with tenant_context(acme):
        fail(2)
        throttling.record_success(scope="password", account="alice@acme.test")
        fail(2)

        throttling.check_allowed(
            scope="password", account="alice@acme.test", address="10.0.0.2"
        )


def test_account_keys_ignore_case_and_surrounding_space(acme, limits):
    with tenant_context(acme):
        fail(3, account=" Alice@ACME.test ")

        with pytest.raises(TooManyAttemptsError):
            throttling.check_allowed(
                scope="password", account="alice@acme.test", address="10.0.0.2"
            )
