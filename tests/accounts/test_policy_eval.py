"""The evaluator on its own: grammar, wildcards, evaluation order, properties."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts import policy_eval
from accounts.policy_eval import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Pattern,
    PolicyDocumentError,
    Statement,
    evaluate,
    parse_document,
)

USER = "urn:iam:acme:user/7f1c"


def statements(*raw):
    return parse_document({"Statement": list(raw)})


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


EVALUATION_CASES = [
    # (statements, action, resource, decision)
    ([allow("iam:GetUser", USER)], "iam:GetUser", USER, ALLOW),
    ([], "iam:GetUser", USER, IMPLICIT_DENY),
    ([allow("iam:GetUser", USER)], "iam:DeleteUser", USER, IMPLICIT_DENY),
    ([allow("iam:GetUser", USER)], "iam:GetUser", USER + "0", IMPLICIT_DENY),
    ([allow("*"), deny("iam:DeleteUser")], "iam:DeleteUser", USER, EXPLICIT_DENY),
    ([deny("iam:DeleteUser"), allow("*")], "iam:DeleteUser", USER, EXPLICIT_DENY),
    ([allow("*"), deny("iam:DeleteUser")], "iam:GetUser", USER, ALLOW),
    ([deny("iam:*", "urn:iam:acme:user/*")], "iam:GetUser", USER, EXPLICIT_DENY),
    ([allow("iam:Get*")], "iam:GetUser", USER, ALLOW),
    ([allow("iam:Get*")], "iam:ListUsers", USER, IMPLICIT_DENY),
    ([allow("iam:?etUser")], "iam:GetUser", USER, ALLOW),
    ([allow("iam:?etUser")], "iam:GGetUser", USER, IMPLICIT_DENY),
    ([allow("*", "urn:iam:acme:user/*")], "iam:GetUser", USER, ALLOW),
    (
        [allow("*", "urn:iam:acme:user/*")],
        "iam:GetPolicy",
        "urn:iam:acme:policy/1",
        IMPLICIT_DENY,
    ),
    ([allow("*", "urn:iam:acme:user/7f1?")], "iam:GetUser", USER, ALLOW),
    ([allow("*", "urn:iam:*:user/*")], "iam:GetUser", USER, ALLOW),
    # Actions ignore case, like AWS; resources do not.
    ([allow("IAM:getuser")], "iam:GetUser", USER, ALLOW),
    ([allow("iam:GetUser")], "IAM:GETUSER", USER, ALLOW),
    ([deny("iam:deleteuser"), allow("*")], "iam:DeleteUser", USER, EXPLICIT_DENY),
    ([allow("*", USER.upper())], "iam:GetUser", USER, IMPLICIT_DENY),
    ([allow("*", "urn:iam:acme:USER/*")], "iam:GetUser", USER, IMPLICIT_DENY),
    # Lists: any element may match.
    (
        [allow(["iam:ListUsers", "iam:GetUser"], ["x", USER])],
        "iam:GetUser",
        USER,
        ALLOW,
    ),
]


@pytest.mark.parametrize(("raw", "action", "resource", "expected"), EVALUATION_CASES)
def test_evaluation_order_and_matching(raw, action, resource, expected):
    parsed = statements(*raw) if raw else []

    result = evaluate(parsed, action, resource)

    assert result.decision == expected


def test_the_deciding_statement_is_reported():
    parsed = statements(
        allow("*", Sid="Everything"), deny("iam:DeleteUser", Sid="NoDeletes")
    )

    denied = evaluate(parsed, "iam:DeleteUser", USER)
    allowed = evaluate(parsed, "iam:GetUser", USER)

    assert denied.statement.sid == "NoDeletes"
    assert allowed.statement.sid == "Everything"
    assert evaluate([], "iam:GetUser", USER).statement is None


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ([], "document"),
        ({"Statement": []}, "Statement"),
        ({"Statement": {"Effect": "Allow"}}, "Statement"),
        ({"Statement": [allow("*")], "Id": "x"}, "Id"),
        ({"Statement": [allow("*")], "Version": "2008-10-17"}, "Version"),
        ({"Statement": [allow("*", Condition={})]}, "Statement[0].Condition"),
        (
            {
                "Statement": [
                    allow("*"),
                    {"Effect": "Maybe", "Action": "*", "Resource": "*"},
                ]
            },
            "Statement[1].Effect",
        ),
        ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "Statement[0].Action"),
        ({"Statement": [{"Effect": "Allow", "Action": "*"}]}, "Statement[0].Resource"),
        ({"Statement": [allow([])]}, "Statement[0].Action"),
        ({"Statement": [allow(["iam:GetUser", 3])]}, "Statement[0].Action[1]"),
        ({"Statement": [allow("iam:GetUser", "")]}, "Statement[0].Resource"),
        ({"Statement": [allow("GetUser")]}, "Statement[0].Action"),
        ({"Statement": [allow("iam:Get User")]}, "Statement[0].Action"),
        ({"Statement": [allow("*", ["a", "b\nc"])]}, "Statement[0].Resource[1]"),
        ({"Statement": [allow("*", Sid="has space")]}, "Statement[0].Sid"),
        ({"Statement": [allow("*", Sid="A"), allow("*", Sid="A")]}, "Statement[1].Sid"),
        ({"Statement": ["Allow"]}, "Statement[0]"),
    ],
)
def test_invalid_documents_name_the_bad_part(document, path):
    with pytest.raises(PolicyDocumentError) as caught:
        parse_document(document)

    assert path in caught.value.errors


def test_every_bad_part_is_reported_at_once():
    document = {"Statement": [allow("bad"), deny("*", Effect="Nope")], "X": 1}

    with pytest.raises(PolicyDocumentError) as caught:
        parse_document(document)

    assert set(caught.value.errors) == {
        "X",
        "Statement[0].Action",
        "Statement[1].Effect",
    }


def test_documents_past_the_size_limit_are_refused():
    resources = [f"urn:iam:acme:user/{i:040d}" for i in range(200)]

    with pytest.raises(PolicyDocumentError) as caught:
        parse_document({"Statement": [allow("*", resources)]})

    assert "document" in caught.value.errors


def test_too_many_statements_are_refused():
    document = {"Statement": [allow("*")] * (policy_eval.MAX_STATEMENTS + 1)}

    with pytest.raises(PolicyDocumentError) as caught:
        parse_document(document)

    assert "Statement" in caught.value.errors


def test_a_valid_document_parses_with_version_and_sid():
    parsed = parse_document(
        {"Version": "2012-10-17", "Statement": [allow("iam:*", USER, Sid="Mine")]}
    )

    assert parsed == [Statement("Allow", ("iam:*",), (USER,), sid="Mine")]


@pytest.mark.parametrize("text", [".*", "a|b", "(x)", "[ab]", "a+", "\\d", "^a$"])
def test_regex_syntax_in_a_pattern_is_only_literal_text(text):
    pattern = Pattern(text, ignore_case=False)

    assert pattern.matches(text)
    assert not pattern.matches("ab")


def test_a_pattern_built_to_backtrack_still_answers():
    pattern = Pattern("*a*a*a*a*a*a*a*a*a*a*b", ignore_case=False)

    assert not pattern.matches("a" * 2000)
    assert pattern.matches("a" * 2000 + "b")


# --- properties -------------------------------------------------------------

ALPHABET = "ab.:/*?[(\\"
names = st.text(alphabet="ab:*?", min_size=1, max_size=6)
patterns = st.text(alphabet=ALPHABET, min_size=0, max_size=8)
values = st.text(alphabet=ALPHABET.replace("*", "").replace("?", ""), max_size=10)


def reference_match(pattern, value):
    regex = "".join(
        ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern
    )
    return re.fullmatch(regex, value, re.S) is not None


@given(patterns, values)
def test_patterns_match_exactly_like_a_reference_glob(pattern, value):
    assert Pattern(pattern, ignore_case=False).matches(value) == reference_match(
        pattern, value
    )


def statement_strategy(effect=None):
    return st.builds(
        Statement,
        effect=st.just(effect) if effect else st.sampled_from(["Allow", "Deny"]),
        actions=st.lists(names, min_size=1, max_size=3).map(tuple),
        resources=st.lists(names, min_size=1, max_size=3).map(tuple),
    )


calls = st.tuples(names, names)


@given(
    st.lists(statement_strategy(), max_size=6),
    statement_strategy("Deny"),
    st.integers(min_value=0),
    calls,
)
def test_adding_a_deny_never_turns_a_decision_into_allow(base, extra, where, call):
    action, resource = call
    before = evaluate(base, action, resource)
    changed = list(base)
    changed.insert(where % (len(base) + 1), extra)

    after = evaluate(changed, action, resource)

    assert not (after.allowed and not before.allowed)
    if before.decision == EXPLICIT_DENY:
        assert after.decision == EXPLICIT_DENY


@given(
    st.lists(statement_strategy(), max_size=6),
    statement_strategy("Allow"),
    st.integers(min_value=0),
    calls,
)
def test_adding_an_allow_never_turns_an_allow_into_a_deny(base, extra, where, call):
    action, resource = call
    before = evaluate(base, action, resource)
    changed = list(base)
    changed.insert(where % (len(base) + 1), extra)

    after = evaluate(changed, action, resource)

    if before.allowed:
        assert after.allowed
    if before.decision == EXPLICIT_DENY:
        assert after.decision == EXPLICIT_DENY


def test_the_evaluator_module_imports_nothing_outside_the_standard_library():
    import ast
    import sys

    tree = ast.parse(open(policy_eval.__file__).read())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }

    # PyJWT is imported lazily by the token helper only.
    assert imported - {"jwt"} <= sys.stdlib_module_names
