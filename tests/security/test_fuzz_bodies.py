"""Arbitrary JSON at the unauthenticated endpoints never breaks the service."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import IamClient

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "email",
    "password",
    "access_key_id",
    "secret_access_key",
    "account",
    "refresh_token",
    "token",
]
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={field: json_values for field in FIELDS}),
)
ENDPOINTS = [
    "/iam/auth/token",
    "/iam/auth/refresh",
    "/iam/auth/logout",
    "/iam/password/reset",
    "/iam/password/reset/confirm",
    "/iam/email/confirm",
    "/iam/email/confirmation",
]


@pytest.mark.parametrize("host", ["acme.localhost", "localhost"])
@pytest.mark.parametrize("path", ENDPOINTS)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=bodies)
def test_random_json_gets_a_contract_answer_never_a_500(acme, path, host, body):
    response = IamClient(host).call("POST", path, body if body is not None else "null")

    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"code", "message", "details"}
