"""Django admin for payments: read-only records; refunds go through `payments.services`."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from kernel.exceptions import DomainError
from kernel.money import CENT, DECIMAL_PLACES, MAX_DIGITS
from payments import services
from payments.models import REFUNDABLE_STATUSES, Payment, ProcessedWebhookEvent, Refund


class RefundAmountForm(forms.Form):
    amount = forms.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        min_value=CENT,
        help_text="At most what is left to refund.",
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money records are written by the services only; the admin shows them."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    fields = ("id", "amount", "currency", "provider_reference", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    # What staff act on comes first, so the Refund link shows without scrolling sideways
    # (next to the navigation and the filters, a 1280-pixel window leaves ~630 pixels).
    list_display = (
        "id",
        "order_id",
        "charged",
        "refunded",
        "status",
        "refund_link",
        "customer",
        "created_at",
    )
    list_display_links = ("id",)
    list_filter = ("status", "provider", "currency", "created_at")
    search_fields = ("=id", "=order_id", "customer__email", "provider_reference")
    list_select_related = ("customer",)
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "id",
        "order_id",
        "customer",
        "amount",
        "currency",
        "status",
        "provider",
        "provider_reference",
        "failure_code",
        "refunded_amount",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = [RefundInline]
    actions = ["refund_in_full", "refund_chosen_amount"]
    change_form_template = "admin/payments/payment/change_form.html"

    def has_refund_permission(self, request: HttpRequest) -> bool:
        """A refund changes the payment: Django's change permission of payments, which the
        `Finance` group holds. (The admin's own change form stays read-only for everyone.)"""
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")

    @admin.display(description="amount", ordering="amount")
    def charged(self, payment: Payment) -> str:
        return f"{payment.amount} {payment.currency}"

    @admin.display(description="refunded", ordering="refunded_amount")
    def refunded(self, payment: Payment) -> str:
        return f"{payment.refunded_amount} {payment.currency}"

    @admin.display(description="Refund")
    def refund_link(self, payment: Payment) -> str:
        if payment.status not in REFUNDABLE_STATUSES:
            return "—"
        url = reverse("admin:payments_payment_refund", args=[payment.pk])
        return format_html('<a href="{}">Refund…</a>', url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        payment = self.get_object(request, unquote(object_id))
        refundable = (
            payment is not None
            and payment.status in REFUNDABLE_STATUSES
            and self.has_refund_permission(request)
        )
        extra_context = {
            **(extra_context or {}),
            "refund_url": (
                reverse("admin:payments_payment_refund", args=[payment.pk]) if refundable else None
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:payment_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="payments_payment_refund",
            ),
            *super().get_urls(),
        ]

    @admin.action(description="Refund the selected payments in full", permissions=["refund"])
    def refund_in_full(self, request: HttpRequest, queryset) -> None:
        for payment_id in queryset.order_by("pk").values_list("pk", flat=True):
            self._refund(request, payment_id=payment_id, amount=None)

    @admin.action(
        description="Refund a chosen amount of the selected payment…", permissions=["refund"]
    )
    def refund_chosen_amount(self, request: HttpRequest, queryset) -> HttpResponse | None:
        payment_ids = list(queryset.values_list("pk", flat=True)[:2])
        if len(payment_ids) != 1:
            self.message_user(request, "Select exactly one payment to refund.", messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("admin:payments_payment_refund", args=payment_ids))

    def refund_view(self, request: HttpRequest, payment_id: int) -> HttpResponse:
        if not self.has_refund_permission(request):
            raise PermissionDenied
        payment = get_object_or_404(self.get_queryset(request), pk=payment_id)
        form = RefundAmountForm(
            request.POST if request.method == "POST" else None,
            initial={"amount": payment.refundable_amount},
        )
        if form.is_valid() and self._refund(
            request, payment_id=payment.pk, amount=form.cleaned_data["amount"]
        ):
            return HttpResponseRedirect(reverse("admin:payments_payment_change", args=[payment.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Refund payment {payment.pk}",
            "payment": payment,
            "form": form,
        }
        return TemplateResponse(request, "admin/payments/payment/refund.html", context)

    def _refund(self, request: HttpRequest, *, payment_id: int, amount) -> bool:
        try:
            refund = services.refund_payment(payment_id=payment_id, amount=amount)
        except DomainError as error:
            self.message_user(request, f"Payment {payment_id}: {error.detail}", messages.ERROR)
            return False
        self.message_user(
            request,
            f"Payment {payment_id}: refunded {refund.amount} {refund.currency}.",
            messages.SUCCESS,
        )
        return True


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("id", "payment", "amount", "currency", "provider_reference", "created_at")
    list_filter = ("currency", "created_at")
    search_fields = ("=id", "=payment__id", "=payment__order_id", "provider_reference")
    list_select_related = ("payment",)
    ordering = ("-created_at", "-id")
    fields = ("id", "payment", "amount", "currency", "provider_reference", "created_at")
    readonly_fields = fields


@admin.register(ProcessedWebhookEvent)
class ProcessedWebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "provider", "type", "received_at")
    list_filter = ("provider", "type")
    search_fields = ("=event_id",)
    ordering = ("-received_at", "-id")
