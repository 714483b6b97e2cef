"""The HTML pages that email links open on the tenant host."""

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts import link_tokens
from accounts.models import User
from tests.conftest import PASSWORD, login, make_user

NEW_PASSWORD = "a page-set long passphrase"


def page_client(host="acme.localhost", **kwargs):
    return Client(HTTP_HOST=host, **kwargs)


def token_for(tenant, user, purpose):
    with tenant_context(tenant):
        return link_tokens.make_link_token(User.objects.get(id=user.id), purpose)


@pytest.fixture
def reset_link(acme):
    user = make_user(acme, email="page@example.test")
    return user, token_for(acme, user, link_tokens.RESET)


def test_reset_page_shows_a_password_form(reset_link):
    _, token = reset_link

    response = page_client().get("/iam/reset-password", {"token": token})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b'name="password"' in response.content
    assert b"Acme Corp" in response.content


def test_link_pages_allow_no_script_and_leak_no_referrer(reset_link):
    _, token = reset_link

    response = page_client().get("/iam/reset-password", {"token": token})

    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert b"<script" not in response.content


def test_reset_page_for_a_bad_link_answers_html_not_json(acme):
    response = page_client().get("/iam/reset-password", {"token": "acme.r.bad"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"does not work" in response.content


def test_reset_page_refuses_a_link_of_another_tenant(acme, globex, reset_link):
    _, token = reset_link

    response = page_client("globex.localhost").get(
        "/iam/reset-password", {"token": token}
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_reset_page_sets_the_password(reset_link):
    _, token = reset_link

    response = page_client().post(
        "/iam/reset-password",
        {"token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert b"Your password is set" in response.content
    assert login("acme.localhost", "page@example.test", NEW_PASSWORD)


def test_reset_page_shows_why_a_password_is_refused(reset_link):
    _, token = reset_link

    response = page_client().post(
        "/iam/reset-password",
        {"token": token, "password": "short", "password_again": "short"},
    )

    assert response.status_code == 400
    assert b"too short" in response.content
    assert login("acme.localhost", "page@example.test", PASSWORD)


def test_reset_page_refuses_a_post_from_another_site(reset_link):
    _, token = reset_link

    response = page_client(enforce_csrf_checks=True).post(
        "/iam/reset-password",
        {"token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )

    assert response.status_code == 403
    assert login("acme.localhost", "page@example.test", PASSWORD)


def test_confirm_page_confirms_only_when_the_form_is_posted(acme):
    user = make_user(acme, email="confirm-page@example.test", confirmed=False)
    token = token_for(acme, user, link_tokens.CONFIRM)

    shown = page_client().get("/iam/confirm-email", {"token": token})
    with tenant_context(acme):
        still_unconfirmed = not User.objects.get(id=user.id).email_confirmed
    posted = page_client().post("/iam/confirm-email", {"token": token})

    assert shown.status_code == 200 and still_unconfirmed
    assert posted.status_code == 200
    with tenant_context(acme):
        assert User.objects.get(id=user.id).email_confirmed


def test_cancel_page_drops_the_pending_address(acme):
    user = make_user(
        acme, email="cancel-page@example.test", unconfirmed_email="x@example.test"
    )
    token = token_for(acme, user, link_tokens.CANCEL_EMAIL_CHANGE)

    response = page_client().post("/iam/cancel-email-change", {"token": token})

    assert response.status_code == 200
    with tenant_context(acme):
        assert User.objects.get(id=user.id).unconfirmed_email is None


def test_link_page_answers_other_methods_with_the_json_405(acme):
    response = page_client().put("/iam/reset-password")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
