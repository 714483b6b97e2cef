"""The policy parser takes any JSON and either parses it or explains why."""

import json
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.policy_eval import PolicyDocumentError, evaluate, parse_document

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=15,
)
words = st.sampled_from(
    [
        "Effect",
        "Action",
        "Resource",
        "Sid",
        "Statement",
        "Version",
        "Allow",
        "Deny",
        "*",
        "iam:*",
    ]
)
near_valid = st.fixed_dictionaries(
    {
        "Statement": st.lists(
            st.dictionaries(words, json_values | words, max_size=5), max_size=4
        )
        | json_values
    },
    optional={"Version": json_values},
)


@settings(max_examples=300, deadline=None)
@given(document=st.one_of(json_values, near_valid))
def test_any_json_is_parsed_or_refused_with_a_path(document):
    try:
        statements = parse_document(document)
    except PolicyDocumentError as error:
        assert error.errors, "a refusal names at least one bad part"
        assert all(isinstance(path, str) for path in error.errors)
    else:
        result = evaluate(statements, "iam:GetUser", "urn:iam:acme:user/1")
        assert result.decision in {"allow", "explicit_deny", "implicit_deny"}


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(document=st.one_of(json_values, near_valid))
def test_policy_api_answers_any_document_without_a_500(acme_root_client, document):
    # A fresh name each time: every example runs in the same transaction.
    name = f"Fuzzed{uuid.uuid4().hex[:8]}"
    response = acme_root_client.call(
        "POST", "/iam/policies", {"name": name, "document": document}
    )

    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert response.json()["error"]["code"] == "validation_error", response.content
        json.dumps(response.json()["error"]["details"])
