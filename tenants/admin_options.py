"""Base classes for the admin of each side, and forms whose save is a service.

Every write the admin makes goes through the same service as the API, so a
rule lives in one place. A ServiceModelForm calls its service once its fields
are valid and shows the service's errors on the form; the ServiceModelAdmin
around it then saves nothing itself.
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse

from iam_project.errors import IAMError
from tenants.admin_site import add_service_errors
from tenants.hosts import PLATFORM, TENANT, request_scope


class ScopedAdminMixin:
    """Shows a model only on its own side, and only to that side's admin user."""

    scope: str
    # Deleting is off unless the admin deletes through a service.
    allows_delete = False

    def _allowed(self, request) -> bool:
        return request_scope(request) == self.scope and self.admin_site.has_permission(
            request
        )

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self.allows_delete and self._allowed(request)


class ServiceModelForm(forms.ModelForm):
    """A model form whose write is one service call, made while validating.

    Subclasses implement `call_service(cleaned_data)` and return the object
    it created or changed. The model's own validation is skipped: the service
    is the authority, and the instance must keep its stored values until the
    service compares them with the new ones. Admins set `request` on the form
    class (see ServiceModelAdmin.get_form) so services can name their actor.
    """

    request = None

    def call_service(self, cleaned_data):
        raise NotImplementedError

    def _post_clean(self):
        if self.errors:
            return
        try:
            # One transaction: a form that calls two services keeps neither
            # change when the second refuses.
            with transaction.atomic():
                self.instance = self.call_service(self.cleaned_data)
        except IAMError as exc:
            add_service_errors(self, exc)

    def save(self, commit=True):
        return self.instance


class ServiceModelAdmin(admin.ModelAdmin):
    """Saves through the form's service call and deletes through a service."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # modelform_factory makes a new class on every call, so this request
        # stays with this form alone.
        form.request = request
        return form

    def save_model(self, request, obj, form, change):
        """The form's service call has written the object already."""

    def save_related(self, request, form, formsets, change):
        """Relations are written by the service; inlines here are read-only."""
        for formset in formsets:
            # Writes nothing; fills the lists the change message reads.
            formset.save(commit=False)

    def delete_model(self, request, obj):
        self.delete_with_service(request, obj)

    def delete_with_service(self, request, obj) -> None:
        """Delete through the model's service; admins that set allows_delete."""
        raise NotImplementedError

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except IAMError as exc:
            # The view's transaction has rolled back; say why on the object.
            self.message_user(request, exc.message, messages.ERROR)
            opts = self.opts
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=[object_id],
                    current_app=self.admin_site.name,
                )
            )

    def run_for_each(self, request, queryset, service, *, done: str) -> None:
        """Call a service per selected object; report successes and refusals."""
        succeeded = 0
        for obj in queryset:
            try:
                with transaction.atomic():
                    service(obj)
            except IAMError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{done}: {succeeded}.", messages.SUCCESS)


class PlatformModelAdmin(ScopedAdminMixin, ServiceModelAdmin):
    """A model of the public schema, for the platform owner on the platform host."""

    scope = PLATFORM
    # Without a History link: the admin's history lives in LogEntry, which
    # exists only in tenant schemas.
    change_form_template = "admin/iam_platform_change_form.html"

    # No LogEntry on the platform: it exists only in tenant schemas (its user
    # is a tenant User). The services record each change in the audit trail
    # of the tenant it concerns, naming the owner as the actor.
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None

    def history_view(self, request, object_id, extra_context=None):
        raise Http404


class TenantModelAdmin(ScopedAdminMixin, ServiceModelAdmin):
    """A model of a tenant schema, for that tenant's root on the tenant's host."""

    scope = TENANT


class ReadOnlyTenantInline(ScopedAdminMixin, admin.TabularInline):
    """A list of related rows on a tenant object's page, never edited there."""

    scope = TENANT
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
