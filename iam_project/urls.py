from django.contrib import admin
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from accounts import link_pages
from accounts import policy_views as policies
from accounts import views as accounts
from audit import views as audit
from credentials import views as credentials
from iam_project import health
from iam_project.errors import not_found_view
from iam_project.metrics import metrics_view
from tenants import views as tenants

handler400 = "iam_project.errors.bad_request_view"
handler404 = "iam_project.errors.not_found_view"
handler500 = "iam_project.errors.server_error_view"

urlpatterns = [
    path("healthz", health.healthz),
    path("readyz", health.readyz),
    path("metrics", metrics_view),
    path(".well-known/jwks.json", credentials.JwksView.as_view()),
    path(
        ".well-known/openid-configuration",
        credentials.OpenIdConfigurationView.as_view(),
    ),
    path("iam/schema", SpectacularAPIView.as_view(), name="schema"),
    path("iam/auth/token", credentials.TokenView.as_view()),
    path("iam/auth/refresh", credentials.RefreshView.as_view()),
    path("iam/auth/logout", credentials.LogoutView.as_view()),
    path("iam/users", accounts.UserListView.as_view()),
    path("iam/users/me/password", accounts.PasswordChangeView.as_view()),
    path("iam/users/<str:user_id>", accounts.UserDetailView.as_view()),
    path(
        "iam/users/<str:user_id>/credentials",
        credentials.AccessKeyListView.as_view(),
    ),
    path(
        "iam/users/<str:user_id>/credentials/<str:credential_id>",
        credentials.AccessKeyDetailView.as_view(),
    ),
    path(
        "iam/users/<str:user_id>/ssh-keys",
        credentials.SSHPublicKeyListView.as_view(),
    ),
    path(
        "iam/users/<str:user_id>/ssh-keys/<str:credential_id>",
        credentials.SSHPublicKeyDetailView.as_view(),
    ),
    path("iam/ssh-keys", credentials.SSHPublicKeyLookupView.as_view()),
    path("iam/credential-report", credentials.CredentialReportView.as_view()),
    path("iam/password/reset", accounts.PasswordResetRequestView.as_view()),
    path("iam/password/reset/confirm", accounts.PasswordResetConfirmView.as_view()),
    path("iam/email/confirm", accounts.EmailConfirmView.as_view()),
    path("iam/email/confirmation", accounts.EmailConfirmationResendView.as_view()),
    path("iam/email/cancel", accounts.EmailChangeCancelView.as_view()),
    # The HTML pages that email links open (before the JSON catch-all below).
    path("iam/reset-password", link_pages.reset_password_page),
    path("iam/confirm-email", link_pages.confirm_email_page),
    path("iam/cancel-email-change", link_pages.cancel_email_change_page),
    path("iam/tenants", tenants.TenantListView.as_view()),
    path("iam/tenants/<slug:slug>", tenants.TenantDetailView.as_view()),
    path("iam/tenants/<slug:slug>/domains", tenants.TenantDomainView.as_view()),
    path("iam/tenants/<slug:slug>/sessions", tenants.PrivilegedSessionView.as_view()),
    path("iam/audit-events", audit.AuditEventListView.as_view()),
    path("iam/policies", policies.PolicyListView.as_view()),
    path("iam/policies/<str:policy_id>", policies.PolicyDetailView.as_view()),
    path("iam/groups", policies.GroupListView.as_view()),
    path("iam/groups/<str:group_id>", policies.GroupDetailView.as_view()),
    path(
        "iam/groups/<str:group_id>/members/<str:user_id>",
        policies.GroupMemberView.as_view(),
    ),
    path(
        "iam/groups/<str:group_id>/policies/<str:policy_id>",
        policies.GroupPolicyAttachmentView.as_view(),
    ),
    path("iam/users/<str:user_id>/policies", policies.UserPolicyListView.as_view()),
    path(
        "iam/users/<str:user_id>/policies/<str:policy_id>",
        policies.UserPolicyAttachmentView.as_view(),
    ),
    path("iam/authorize", policies.AuthorizeView.as_view()),
    path("admin/", admin.site.urls),
    # Anything else under the API answers in the JSON error shape.
    re_path(r"^(iam|\.well-known|t)/", not_found_view),
]
