"""Evaluating only an action's candidate statements decides as evaluating all."""

from hypothesis import given
from hypothesis import strategies as st

from accounts.policy_eval import Statement, StatementIndex, evaluate

# Upper and lower case, colons and wildcards in any place, to reach every
# branch of the literal-service rule.
names = st.text(alphabet="aAbB:*?", min_size=1, max_size=6)
statements = st.lists(
    st.builds(
        Statement,
        effect=st.sampled_from(["Allow", "Deny"]),
        actions=st.lists(names, min_size=1, max_size=3).map(tuple),
        resources=st.lists(names, min_size=1, max_size=2).map(tuple),
    ),
    max_size=8,
)


@given(statements, names, names)
def test_candidates_decide_exactly_as_all_statements(found, action, resource):
    index = StatementIndex(found)

    indexed = evaluate(index.candidates(action), action, resource)

    assert indexed == evaluate(found, action, resource)


def test_statements_of_other_services_are_not_candidates():
    other = Statement("Allow", ("svc:Get*",), ("*",))
    mine = Statement("Deny", ("IAM:get*",), ("*",))
    anywhere = Statement("Allow", ("*",), ("*",))
    index = StatementIndex([other, mine, anywhere])

    assert index.candidates("iam:GetUser") == [mine, anywhere]
