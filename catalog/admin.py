"""The catalog in Django's admin, for staff: every write goes through `catalog.services`.

Form validation (field validators, unique fields, check constraints) turns ordinary mistakes
into form errors; a conflict that only the database sees (a SKU taken by a concurrent request
between the check and the write) becomes an error message on the same page, never a 500.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.db.models import Case, Count, IntegerField, Model, Value, When
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from catalog import selectors, services
from catalog.exceptions import CatalogError
from catalog.models import Category, Product, ProductImage
from kernel.admin import adopt_created_row


class CatalogAdmin(admin.ModelAdmin):
    """Who may see, add, change or delete is Django's own permissions (the `Catalog managers`
    group holds them all); every write goes through the services a subclass names, and a write
    they refuse is reported on the page."""

    # The services that write this admin's rows, and the fields they accept.
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
        except CatalogError as error:
            return self._refused(request, error)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except CatalogError as error:
            return self._refused(request, error)

    def _refused(self, request, error: CatalogError) -> HttpResponseRedirect:
        """The write was rolled back: say why, and go back to the page."""
        field = getattr(error, "field", None)
        message = f"{field}: {error.detail}" if field else error.detail
        self.message_user(request, f"Nothing was saved. {message}", messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


class InStockFilter(admin.SimpleListFilter):
    title = "in stock"
    parameter_name = "in_stock"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(selectors.any_variant_in_stock())
        if self.value() == "no":
            return queryset.exclude(selectors.any_variant_in_stock())
        return queryset


class ProductAdminForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("sku", "name", "slug", "category", "description", "price", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "Left blank, a unique slug is made from the name."


class ProductImageForm(forms.ModelForm):
    class Meta:
        model = ProductImage
        fields = ("file", "alt", "position")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].help_text = "Left blank, the image comes last."
        if self.instance.pk:
            # An image's file is replaced by deleting the image and uploading another.
            self.fields["file"].disabled = True
        else:
            # Blank, not the model's 0: an untouched empty row is left alone.
            self.initial["position"] = None


class ProductImageInline(admin.TabularInline):
    """A product's images, with previews; written through the services (`save_formset`), which
    validate and re-encode each upload."""

    model = ProductImage
    form = ProductImageForm
    extra = 1
    fields = ("preview", "file", "alt", "position")
    readonly_fields = ("preview",)
    ordering = ("position", "id")

    @admin.display(description="preview")
    def preview(self, image: ProductImage) -> str:
        if not image.pk:
            return ""
        source = image.thumbnail or image.file
        return format_html(
            '<img src="{}" alt="{}" height="80">',
            source.url,
            image.alt,
        )


@admin.register(Product)
class ProductAdmin(CatalogAdmin):
    form = ProductAdminForm
    inlines = (ProductImageInline,)
    list_display = ("sku", "name", "category", "price", "is_active")
    list_display_links = ("sku", "name")
    list_editable = ("price", "is_active")
    list_filter = ("category", "is_active", InStockFilter)
    list_select_related = ("category",)
    search_fields = ("sku", "name")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    fields = (
        "sku",
        "name",
        "slug",
        "category",
        "description",
        "price",
        "is_active",
        "created_at",
        "updated_at",
    )
    actions = ("activate", "deactivate")
    ordering = ("-created_at", "-id")
    service_fields = services.PRODUCT_FIELDS
    service_create = staticmethod(services.create_product)
    service_update = staticmethod(
        lambda product, data: services.update_product(product=product, data=data)
    )
    service_delete = staticmethod(lambda product: services.delete_product(product=product))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "price":
            # Django's admin has no narrow widget for decimals: the default input is as wide as
            # a text field and pushed the list's last columns out of a 1280-pixel window.
            kwargs["widget"] = forms.NumberInput(attrs={"class": "vBigIntegerField"})
        if db_field.name == "stock":
            # The form remembers the stock it showed, so saving a page opened before an order
            # reserved units leaves the stock alone unless staff actually changed it.
            kwargs["show_hidden_initial"] = True
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        """The images' changes through the services, like the product's own."""
        if formset.model is not ProductImage:
            return super().save_formset(request, form, formset, change)
        product = form.instance
        # What the admin's history records (`construct_change_message`).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for image_form in formset.deleted_forms:
            if image_form.instance.pk:
                formset.deleted_objects.append(image_form.instance)
                services.delete_product_image(image=image_form.instance)
        for image_form in formset.forms:
            if image_form in formset.deleted_forms or not image_form.has_changed():
                continue
            data = image_form.cleaned_data
            if image_form.instance.pk:
                changed = {
                    name: data[name]
                    for name in image_form.changed_data
                    if name in services.IMAGE_FIELDS and data[name] is not None
                }
                services.update_product_image(image=image_form.instance, data=changed)
                formset.changed_objects.append((image_form.instance, list(changed)))
            elif data.get("file"):
                image = services.add_product_image(
                    product=product,
                    file=data["file"],
                    size=data["file"].size,
                    alt=data.get("alt") or "",
                    position=data.get("position"),
                )
                formset.new_objects.append(image)
        return None

    @admin.action(description="Activate selected products", permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, is_active=True)

    @admin.action(description="Deactivate selected products", permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, is_active=False)

    def _set_active(self, request, queryset, *, is_active: bool) -> None:
        changed = services.set_products_active(
            product_ids=queryset.values_list("id", flat=True), is_active=is_active
        )
        done = "activated" if is_active else "deactivated"
        self.message_user(request, f"{changed} product(s) {done}.", messages.SUCCESS)


class TreeChangeList(ChangeList):
    """Ordered by the tree unless staff sort by a column. (`ModelAdmin.get_ordering` cannot say
    it: the product list's category filter orders categories by it too, without the tree.)"""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        return ["tree_position", "pk"]


class ParentFilter(admin.SimpleListFilter):
    """Top-level categories, or the children of one category."""

    title = "parent"
    parameter_name = "parent"
    TOP = "none"

    def lookups(self, request, model_admin):
        parents = Category.objects.filter(children__isnull=False).distinct().order_by("name", "id")
        return [(self.TOP, "None (top level)"), *((str(c.pk), c.name) for c in parents)]

    def queryset(self, request, queryset):
        if self.value() == self.TOP:
            return queryset.filter(parent__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(parent_id=int(self.value()))
        return queryset


@admin.register(Category)
class CategoryAdmin(CatalogAdmin):
    """The changelist shows the tree: depth first, siblings by name, each name indented by its
    depth (`selectors.tree_order`, one query before the page's)."""

    list_display = ("tree_name", "slug", "parent", "product_count")
    list_filter = (ParentFilter,)
    list_select_related = ("parent",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "parent", "description")
    service_fields = services.CATEGORY_FIELDS
    service_create = staticmethod(services.create_category)
    service_update = staticmethod(
        lambda category, data: services.update_category(category=category, data=data)
    )
    service_delete = staticmethod(lambda category: services.delete_category(category=category))

    def get_queryset(self, request):
        order = selectors.tree_order()
        return (
            super()
            .get_queryset(request)
            .annotate(
                product_count=Count("products"),
                tree_position=_by_id((pk, position) for position, (pk, _) in enumerate(order)),
                tree_depth=_by_id(order),
            )
        )

    def get_changelist(self, request, **kwargs):
        return TreeChangeList

    @admin.display(description="name", ordering="tree_position")
    def tree_name(self, category: Category) -> str:
        return f"{'— ' * category.tree_depth}{category.name}"

    @admin.display(description="products", ordering="product_count")
    def product_count(self, category: Category) -> int:
        return category.product_count


def _by_id(values) -> Case:
    """`CASE id WHEN ... THEN value END`: a value per category, computed in Python."""
    return Case(
        *(When(pk=pk, then=Value(value)) for pk, value in values),
        default=Value(0),
        output_field=IntegerField(),
    )
