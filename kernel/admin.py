"""Admin plumbing shared by the apps' admin pages, and the kernel's own pages: the outgoing
webhooks' endpoints and delivery log (the `Integrations` group holds their permissions)."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from kernel.exceptions import DomainError
from kernel.models import WebhookDelivery, WebhookEndpoint
from kernel.webhooks import services as webhooks
from kernel.webhooks.exceptions import WebhookError

RECENT_DELIVERIES = 20


class ServiceAdmin(admin.ModelAdmin):
    """An app's admin page whose writes go through the app's services, which a subclass names
    with the fields they accept; who may see, add, change or delete is Django's own permissions.
    A write a service refuses (a `DomainError`) is rolled back and reported on the page."""

    service_fields: frozenset[str]
    service_create: Callable[..., Model]
    service_update: Callable[[Model, dict[str, Any]], object]
    service_delete: Callable[[Model], object]

    def save_model(self, request, obj, form, change):
        """Save the form through the services: the changed fields only, or a new row."""
        if change:
            changed = [name for name in form.changed_data if name in self.service_fields]
            self.service_update(obj, {name: form.cleaned_data[name] for name in changed})
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k in self.service_fields}
            adopt_created_row(obj, pk=self.service_create(**data).pk)

    def delete_model(self, request, obj):
        self.service_delete(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def _refused(self, request, error: DomainError) -> HttpResponseRedirect:
        """The write was rolled back: say why, and go back to the page."""
        field = getattr(error, "field", None)
        message = f"{field}: {error.detail}" if field else error.detail
        self.message_user(request, f"Nothing was saved. {message}", messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


def adopt_created_row(obj: Model, *, pk) -> None:
    """Turn the admin's unsaved `obj` into the row a service created with primary key `pk`.

    An admin page whose add goes through a service (so the admin obeys the app's rules) gets a
    new row from the service, while Django's admin carries on with its own `obj` after
    `save_model`: the form's many-to-many fields, the log entry and the redirect use it. So `obj`
    takes the row's primary key and reloads every field from the database.
    """
    obj.pk = pk
    obj.refresh_from_db()


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "event_types", "is_active"]
        help_texts = {
            "event_types": 'A JSON list of event types, or ["*"] for every type.',
        }

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if urlsplit(url).scheme not in ("http", "https"):
            raise forms.ValidationError("Only http and https URLs are allowed.")
        try:
            webhooks.checked_url(url)
        except WebhookError as error:
            raise forms.ValidationError(error.detail) from None
        return url

    def clean_event_types(self) -> list[str]:
        value = self.cleaned_data["event_types"]
        known = {*webhooks.EVENT_TYPES, webhooks.ALL_EVENTS}
        if not isinstance(value, list) or not value or not all(t in known for t in value):
            raise forms.ValidationError(f"A non-empty list of: {', '.join(sorted(known))}.")
        return list(dict.fromkeys(value))


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Endpoints are written through `kernel.webhooks.services`; the secret is shown once, on
    the page after the endpoint is added."""

    form = WebhookEndpointForm
    list_display = ["url", "event_types", "is_active", "created_at"]
    list_filter = ["is_active"]
    readonly_fields = ["created_at", "recent_deliveries"]

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            webhooks.update_endpoint(endpoint=obj, data=data)
            return
        endpoint = webhooks.create_endpoint(
            url=form.cleaned_data["url"],
            event_types=form.cleaned_data["event_types"],
            is_active=form.cleaned_data["is_active"],
        )
        adopt_created_row(obj, pk=endpoint.pk)
        self.message_user(
            request,
            f"The endpoint's signing secret, shown this once: {endpoint.secret}",
            messages.WARNING,
        )

    def delete_model(self, request, obj):
        webhooks.delete_endpoint(endpoint=obj)

    @admin.display(description="Recent deliveries")
    def recent_deliveries(self, obj: WebhookEndpoint) -> str:
        if obj.pk is None:
            return "-"
        rows = obj.deliveries.order_by("-pk")[:RECENT_DELIVERIES]
        listing = reverse("admin:kernel_webhookdelivery_changelist")
        return format_html(
            "<table><tr><th>Event</th><th>Status</th><th>Attempts</th><th>Last status</th>"
            "<th>Next attempt</th><th>Created</th></tr>{}</table>"
            '<p><a href="{}?endpoint__id__exact={}">Every delivery of this endpoint</a></p>',
            format_html_join(
                "",
                "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        row.event_type,
                        row.event_id,
                        row.status,
                        row.attempts,
                        row.last_status_code or "-",
                        row.next_attempt_at or "-",
                        row.created_at,
                    )
                    for row in rows
                ),
            ),
            listing,
            obj.pk,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read only; a failed delivery can be retried now."""

    list_display = [
        "id",
        "endpoint",
        "event_type",
        "event_id",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["event_id"]
    ordering = ["-pk"]
    actions = ["retry_now"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Retry the selected failed deliveries now", permissions=["change"])
    def retry_now(self, request, queryset):
        count = webhooks.retry_now(deliveries=queryset)
        self.message_user(request, f"{count} failed deliveries will be tried again now.")
