"""The admin's CSS and JavaScript are served by the app itself (WhiteNoise)."""

from tests.admin.conftest import AdminClient


def test_admin_stylesheet_is_served_on_a_tenant_host(db):
    response = AdminClient("acme.localhost").get("/static/admin/css/base.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


def test_admin_script_is_served_on_the_platform_host(db):
    response = AdminClient("localhost").get("/static/admin/js/core.js")

    assert response.status_code == 200
