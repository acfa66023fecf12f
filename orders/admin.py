"""The orders admin: orders are read-only; their status changes only through orders.services.

Staff ship, deliver and cancel from the list (actions on the selected orders; shipping asks for
each order's carrier and tracking number first) or from an order's page (buttons for the moves
its status allows). A refused move is reported per order as a message, never as an error page.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from kernel.exceptions import DomainError
from orders import services
from orders.forms import NoteForm, ShipForm, ShipmentFormSet
from orders.models import Order, OrderEvent, OrderLine, OrderStatus


@dataclass(frozen=True)
class _Move:
    """One status move from an order's page: its button, its confirmation page and its service.

    `perform` is called with the order's id, the acting staff user's id and the form's data.
    """

    to: OrderStatus
    button: str
    title: str
    form_class: type[NoteForm]
    submit: str
    perform: Callable[[int, int, dict], object]
    intro: str = ""


_MOVES = {
    "ship": _Move(
        to=OrderStatus.SHIPPED,
        button="Ship…",
        title="Ship order",
        form_class=ShipForm,
        submit="Ship",
        perform=lambda order_id, actor_id, data: services.ship_order(order_id=order_id, **data),
    ),
    "deliver": _Move(
        to=OrderStatus.DELIVERED,
        button="Mark delivered…",
        title="Mark order delivered",
        form_class=NoteForm,
        submit="Mark delivered",
        perform=lambda order_id, actor_id, data: services.deliver_order(order_id=order_id, **data),
    ),
    "cancel": _Move(
        to=OrderStatus.CANCELLED,
        button="Cancel order…",
        title="Cancel order",
        form_class=NoteForm,
        submit="Yes, cancel it",
        intro="The stock comes back and a paid order is refunded in full.",
        perform=lambda order_id, actor_id, data: services.cancel_order(
            order_id=order_id, actor_id=actor_id, **data
        ),
    ),
}


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(_ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = [
        "product_id",
        "variant_id",
        "sku",
        "name",
        "variant_name",
        "unit_price",
        "quantity",
        "line_total",
    ]


class OrderEventInline(_ReadOnlyInline):
    model = OrderEvent
    fields = readonly_fields = ["created_at", "status", "note"]
    verbose_name = "status change"
    verbose_name_plural = "status history"


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "customer_email", "status", "total_with_currency", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["number", "customer__email", "email"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "customer_or_guest",
                    "email",
                    "status",
                    "expires_at",
                    "cancellation_reason",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        (
            "Money",
            {
                "fields": [
                    "subtotal",
                    "discount_total",
                    "voucher_code",
                    "shipping_total",
                    "tax_total",
                    "total",
                    "currency",
                ]
            },
        ),
        ("Delivery", {"fields": ["address", "shipping_method", "carrier", "tracking_number"]}),
    ]
    readonly_fields = [
        "number",
        "customer_or_guest",
        "email",
        "status",
        "expires_at",
        "cancellation_reason",
        "created_at",
        "updated_at",
        "subtotal",
        "discount_total",
        "voucher_code",
        "shipping_total",
        "tax_total",
        "total",
        "currency",
        "address",
        "shipping_method",
        "carrier",
        "tracking_number",
    ]
    inlines = [OrderLineInline, OrderEventInline]
    actions = ["ship_orders", "deliver_orders", "cancel_orders"]
    change_form_template = "admin/orders/order/change_form.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="customer", ordering="customer__email")
    def customer_email(self, order: Order) -> str:
        return "guest" if order.customer is None else order.customer.email

    @admin.display(description="customer")
    def customer_or_guest(self, order: Order) -> str:
        """The customer, linked to their page; "guest" for a guest's order."""
        if order.customer is None:
            return "guest"
        user = order.customer
        meta = user._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[user.pk])
        return format_html('<a href="{}">{}</a>', url, user)

    @admin.display(description="total", ordering="total")
    def total_with_currency(self, order: Order) -> str:
        return f"{order.total} {order.currency}"

    @admin.display(description="shipping method")
    def shipping_method(self, order: Order) -> str:
        method = order.shipping_method
        if method is None:
            return ""
        return f"{method['name']} ({method['code']}): {method['price']} {order.currency}"

    @admin.display(description="shipping address")
    def address(self, order: Order) -> str:
        return ", ".join(value for value in (order.shipping_address or {}).values() if value)

    def save_model(self, request, obj, form, change) -> None:
        """Nothing on an order is edited by hand; the status buttons and actions change it."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, unquote(object_id))
        buttons = []
        if order is not None and self.has_change_permission(request, order):
            buttons = [
                {
                    "url": reverse(f"admin:orders_order_{name}", args=[order.pk]),
                    "label": move.button,
                }
                for name, move in _MOVES.items()
                if move.to in services.allowed_transitions(order.status)
            ]
        extra_context = {
            **(extra_context or {}),
            "transition_buttons": buttons,
            "show_save": False,
            "show_save_and_continue": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            *(
                path(
                    f"<path:object_id>/{name}/",
                    view(self._transition_view),
                    {"move": move},
                    name=f"orders_order_{name}",
                )
                for name, move in _MOVES.items()
            ),
            *super().get_urls(),
        ]

    # One order, from its page.

    def _transition_view(
        self,
        request: HttpRequest,
        object_id: str,
        move: _Move,
    ) -> HttpResponse:
        order = self.get_object(request, unquote(object_id))
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        change_url = reverse("admin:orders_order_change", args=[order.pk])
        form = move.form_class(request.POST if request.method == "POST" else None)
        if form.is_valid():
            self._apply(
                request,
                [order],
                move.to,
                lambda order: move.perform(order.pk, request.user.pk, form.cleaned_data),
            )
            return HttpResponseRedirect(change_url)
        return self._render(
            request,
            "admin/orders/order/confirm_action.html",
            title=f"{move.title} {order.number}",
            intro=move.intro,
            orders=[order],
            form=form,
            submit=move.submit,
            back_url=change_url,
        )

    # Several orders, from the list.

    @admin.action(description="Ship selected paid orders", permissions=["change"])
    def ship_orders(self, request: HttpRequest, queryset: QuerySet[Order]):
        orders = {order.pk: order for order in self._selected(queryset)}
        if "apply" in request.POST:
            formset = ShipmentFormSet(request.POST, prefix="ship")
            if formset.is_valid():
                rows = {row["order_id"]: row for row in formset.cleaned_data}
                self._apply(
                    request,
                    [order for pk, order in orders.items() if pk in rows],
                    OrderStatus.SHIPPED,
                    lambda order: services.ship_order(
                        order_id=order.pk,
                        carrier=rows[order.pk]["carrier"],
                        tracking_number=rows[order.pk]["tracking_number"],
                    ),
                )
                return None
        else:
            paid = [order for order in orders.values() if order.status == OrderStatus.PAID]
            if not paid:
                message = "None of the selected orders is paid: nothing to ship."
                self.message_user(request, message, messages.WARNING)
                return None
            formset = ShipmentFormSet(prefix="ship", initial=[{"order_id": o.pk} for o in paid])
        rows = [(orders.get(_int(form["order_id"].value())), form) for form in formset.forms]
        return self._render(
            request,
            "admin/orders/order/ship_orders.html",
            title="Ship paid orders",
            formset=formset,
            rows=[(order, form) for order, form in rows if order is not None],
            skipped=[order for order in orders.values() if order.status != OrderStatus.PAID],
            selected=list(orders),
        )

    @admin.action(description="Mark selected shipped orders delivered", permissions=["change"])
    def deliver_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._apply(
            request,
            self._selected(queryset),
            OrderStatus.DELIVERED,
            lambda order: services.deliver_order(order_id=order.pk),
        )

    @admin.action(description="Cancel selected orders", permissions=["change"])
    def cancel_orders(self, request: HttpRequest, queryset: QuerySet[Order]):
        orders = self._selected(queryset)
        form = NoteForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._apply(
                request,
                orders,
                OrderStatus.CANCELLED,
                lambda order: services.cancel_order(
                    order_id=order.pk, actor_id=request.user.pk, note=form.cleaned_data["note"]
                ),
            )
            return None
        return self._render(
            request,
            "admin/orders/order/confirm_action.html",
            title="Cancel orders",
            intro=(
                "The stock comes back and paid orders are refunded in full. Orders already "
                "shipped, delivered, cancelled or refunded are left as they are."
            ),
            orders=orders,
            form=form,
            submit="Yes, cancel them",
            action="cancel_orders",
            selected=[order.pk for order in orders],
        )

    # Helpers.

    def _selected(self, queryset: QuerySet[Order]) -> list[Order]:
        return list(queryset.select_related("customer").order_by("created_at", "id"))

    def _apply(
        self,
        request: HttpRequest,
        orders: Iterable[Order],
        to: OrderStatus,
        move: Callable[[Order], None],
    ) -> None:
        """Move each order to `to` through a service; report successes together (by the status's
        name), refusals one by one."""
        moved = []
        for order in orders:
            try:
                move(order)
            except DomainError as error:
                self.message_user(request, f"{order.number}: {error.detail}", messages.ERROR)
            else:
                moved.append(order.number)
        if moved:
            self.message_user(
                request, f"{to.label} {len(moved)} order(s): {', '.join(moved)}.", messages.SUCCESS
            )

    def _render(self, request: HttpRequest, template: str, **context) -> TemplateResponse:
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                **context,
            },
        )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
