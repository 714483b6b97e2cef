"""The admin site: the platform owner's on the platform host, root's on a tenant's.

One site serves both sides; the request's scope (tenants.hosts) decides
which models it shows and who may log in. Sessions are kept apart three
ways: each schema has its own session table, the cookie names no Domain
(so a browser sends it only to the host that set it), and each session
remembers the schema it was made in and is refused anywhere else.
"""

import functools
import logging

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import PasswordChangeView
from django.db import connection
from django.dispatch import receiver
from django.http import Http404
from django.urls import reverse

from accounts.models import User
from accounts.services import change_password
from audit.context import update_origin
from iam_project.errors import IAMError, TooManyAttemptsError
from tenants.hosts import PLATFORM, TENANT, request_scope
from tenants.models import PlatformOwner
from tenants.services import change_platform_owner_password

logger = logging.getLogger(__name__)

# The schema a session was made in; a session is good only there.
SESSION_SCHEMA_KEY = "_iam_schema"


@receiver(user_logged_in, dispatch_uid="iam_remember_session_schema")
def _remember_session_schema(sender, request, user, **kwargs):
    request.session[SESSION_SCHEMA_KEY] = connection.schema_name


def is_session_of_this_schema(request) -> bool:
    return request.session.get(SESSION_SCHEMA_KEY) == connection.schema_name


def is_admin_user(user, scope: str | None) -> bool:
    """Whether this user may run the admin of this scope."""
    if scope == PLATFORM:
        return isinstance(user, PlatformOwner)
    if scope == TENANT:
        return (
            isinstance(user, User)
            and user.is_root
            and user.is_active
            and user.email_confirmed
        )
    return False


def authenticate_admin_login(*, request, email: str, password: str):
    """Return the user these credentials log in to this host's admin, or None.

    Every admin log-in passes here and nowhere else. The backends check the
    credentials with the API's own services (authenticate_password,
    authenticate_platform_owner), so a log-in is throttled and audited
    wherever those services are. Raises TooManyAttemptsError when throttled.
    """
    scope = request_scope(request)
    user = authenticate(request, email=email, password=password)
    if user is None:
        logger.info("admin login refused scope=%s", scope)
    else:
        logger.info("admin login scope=%s user=%s", scope, user.pk)
    return user


class AdminLoginForm(AdminAuthenticationForm):
    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            try:
                self.user_cache = authenticate_admin_login(
                    request=self.request, email=email, password=password
                )
            except TooManyAttemptsError as exc:
                raise forms.ValidationError(exc.message, code="throttled") from exc
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class OwnPasswordChangeForm(forms.Form):
    """Root or the platform owner changes its own password through a service.

    The field names are the ones Django's password-change template shows.
    """

    old_password = forms.CharField(
        label="Current password", strip=False, widget=forms.PasswordInput
    )
    new_password1 = forms.CharField(
        label="New password", strip=False, widget=forms.PasswordInput
    )
    new_password2 = forms.CharField(
        label="New password again", strip=False, widget=forms.PasswordInput
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned["new_password1"] != cleaned["new_password2"]:
            self.add_error("new_password2", "The two new passwords differ.")
            return cleaned
        passwords = {
            "current_password": cleaned["old_password"],
            "new_password": cleaned["new_password1"],
        }
        try:
            if isinstance(self.user, PlatformOwner):
                change_platform_owner_password(owner=self.user, **passwords)
            else:
                change_password(user=self.user, **passwords)
        except IAMError as exc:
            add_service_errors(
                self,
                exc,
                rename={
                    "current_password": "old_password",
                    "new_password": "new_password1",
                },
            )
        return cleaned

    def save(self, commit=True):
        # change_password has stored it while the form was validated.
        return self.user


def add_service_errors(form, exc: IAMError, *, rename: dict | None = None) -> None:
    """Show a service's error on the form: details by field, else its message.

    A detail key such as `document.Statement[0].Effect` lands on the
    `document` field with its path, so the admin reads like the API.
    """
    rename = rename or {}
    if not exc.details:
        form.add_error(None, exc.message)
        return
    for key, messages in exc.details.items():
        head, _, path = key.partition(".")
        field = rename.get(head, head)
        messages = messages if isinstance(messages, list) else [messages]
        texts = [f"{path}: {text}" if path else str(text) for text in messages]
        form.add_error(field if field in form.fields else None, texts)


class IamAdminSite(admin.AdminSite):
    site_title = "IAM admin"
    index_title = "Administration"
    # No public site to link to.
    site_url = None
    login_form = AdminLoginForm
    index_template = "admin/iam_index.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The bulk delete action deletes rows directly, past the services
        # that guard each deletion (root, attached policies, index rows).
        self.disable_action("delete_selected")

    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)

        @functools.wraps(checked)
        def inner(request, *args, **kwargs):
            self._check_scope(request)
            if request.user.is_authenticated:
                # The audit trail tells admin changes from API calls.
                update_origin(credential="admin")
            return checked(request, *args, **kwargs)

        return inner

    def login(self, request, extra_context=None):
        self._check_scope(request)
        return super().login(request, extra_context)

    def _check_scope(self, request) -> None:
        """404 where no admin lives; end a session made in another schema."""
        scope = request_scope(request)
        if scope is None:
            raise Http404
        if request.user.is_authenticated and not is_session_of_this_schema(request):
            logger.warning("admin session refused scope=%s reason=other_schema", scope)
            logout(request)

    def has_permission(self, request):
        if not request.user.is_authenticated or not is_session_of_this_schema(request):
            return False
        return is_admin_user(request.user, request_scope(request))

    def each_context(self, request):
        context = super().each_context(request)
        scope = request_scope(request)
        tenant = getattr(request, "tenant", None)
        context["iam_scope"] = scope
        context["site_header"] = (
            f"{tenant.name} · IAM" if scope == TENANT else "IAM platform"
        )
        return context

    def password_change(self, request, extra_context=None):
        if request_scope(request) not in (TENANT, PLATFORM):
            raise Http404
        # Django's own form would set the password past change_password,
        # which also ends the user's API sessions and sends the notice.
        view = PasswordChangeView.as_view(
            form_class=OwnPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )
        request.current_app = self.name
        return view(request)
