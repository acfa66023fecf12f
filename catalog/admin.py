"""The catalog in Django's admin, for staff: every write goes through `catalog.services`.

Form validation (field validators, unique fields, check constraints) turns ordinary mistakes
into form errors; a conflict that only the database sees (a SKU taken by a concurrent request
between the check and the write) becomes an error message on the same page, never a 500.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from catalog import selectors, services
from catalog.exceptions import InvalidValue
from catalog.models import MAX_STOCK, Category, Product, ProductImage, ProductVariant
from kernel.admin import ServiceAdmin


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


class CategorySubtreeFilter(admin.RelatedFieldListFilter):
    """A category finds its products and those of every category beneath it, as the API's
    `?category=` does (`selectors.descendant_ids`); the categories are listed as the tree, each
    indented by its depth."""

    def field_choices(self, field, request, model_admin):
        names = dict(Category.objects.values_list("id", "name"))
        return [
            (pk, f"{'— ' * depth}{names[pk]}")
            for pk, depth in selectors.tree_order()
            if pk in names
        ]

    def queryset(self, request, queryset):
        if self.lookup_val is None:
            # All, or the products without a category.
            return super().queryset(request, queryset)
        value = self.lookup_val[-1]
        if not value.isdigit():
            raise IncorrectLookupParameters(f"Not a category: {value!r}")
        return queryset.filter(category_id__in=selectors.descendant_ids(category_id=int(value)))

    def get_facet_counts(self, pk_attname, filtered_qs):
        counts = super().get_facet_counts(pk_attname, filtered_qs)
        for pk, _ in self.lookup_choices:
            beneath = Q(category_id__in=selectors.descendant_ids(category_id=pk))
            counts[f"{pk}__c"] = Count(pk_attname, filter=beneath)
        return counts


# What a product with one variant edits on its own form rather than in the variant's row.
_EDITED_WITH_THE_PRODUCT = ("sku", "price", "stock")


def _stock_field() -> forms.IntegerField:
    """A stock field that remembers the stock it showed (a hidden `initial-` input), so saving a
    page opened before an order reserved units leaves the stock alone unless staff actually
    changed it: `changed_data` compares what staff sent with what they saw."""
    return forms.IntegerField(
        min_value=0,
        max_value=MAX_STOCK,
        initial=0,
        show_hidden_initial=True,
        widget=widgets.AdminIntegerFieldWidget,
    )


class ProductAdminForm(forms.ModelForm):
    """A product's page: its own fields and, while it has a single variant, that variant's sku,
    price and stock.

    A product is added with one variant (`services.create_product`), so the add page asks for
    its sku, price and stock. On the page of a product with one variant they stay on the
    product's form, where staff always found them, and `services.update_product` writes them to
    the variant; its row in the variants' inline shows them disabled (`ProductVariantForm`). A
    product with several variants has no sku, price or stock of its own to edit: each variant's
    are edited in the inline, and the page shows the product's summaries read-only (its first
    variant's sku, its lowest price, its variants' stock together: `ProductAdmin.
    get_readonly_fields`, which also drops `stock` from this form).
    """

    stock = _stock_field()

    class Meta:
        model = Product
        fields = ("sku", "name", "slug", "category", "description", "price", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff who may only view products get a form without fields: the page shows them all
        # read-only.
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Left blank, a unique slug is made from the name."
        if "sku" not in self.fields:
            return
        self.fields["sku"].help_text = "Its variant's: more variants are added on its page."
        # The model's help text ("the lowest of its variants' prices") is for the summary.
        self.fields["price"].help_text = ""
        if self.instance.pk is not None:
            self.initial["stock"] = self.instance.variant_stock

    def clean(self):
        _refuse_variant_fields_of_a_product_with_several(self)
        return super().clean()

    def validate_unique(self):
        """Also refuse a SKU another product's variant has: SKUs are unique among variants, and
        the product's own `sku` is only a summary of them."""
        super().validate_unique()
        sku = self.cleaned_data.get("sku")
        if not sku:
            return
        taken = ProductVariant.objects.filter(sku=sku)
        if self.instance.pk is not None:
            taken = taken.exclude(product_id=self.instance.pk)
        if taken.exists():
            self.add_error("sku", "A product with this SKU already exists.")


class ProductListForm(forms.ModelForm):
    """A row of the product list. Price and stock are editable for a product with one variant
    (`services.update_product` writes them to it); a product with several shows its lowest price
    and its stock in all as text, its variants being edited on its page.

    `stock` is this form's own field: `list_editable` may name only the model's fields, and the
    changelist renders any field the row's form has.
    """

    stock = _stock_field()

    class Meta:
        model = Product
        fields = ("price", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # The form set's empty form, which a page without rows renders for its media only.
            return
        if self.instance.variant_count > 1:
            del self.fields["price"], self.fields["stock"]
        else:
            self.initial["stock"] = self.instance.variant_stock

    def clean(self):
        _refuse_variant_fields_of_a_product_with_several(self)
        return super().clean()


def _refuse_variant_fields_of_a_product_with_several(form: forms.ModelForm) -> None:
    """A page shown while the product had one variant, saved after another was added: its sku,
    price or stock are no longer the product's form's, and would be dropped without a word."""
    product = form.instance
    if product.pk is None or product.variant_count < 2:
        return
    sent = [name for name in _EDITED_WITH_THE_PRODUCT if form.add_prefix(name) in form.data]
    if sent:
        raise ValidationError(
            f"This product has several variants now: reload its page to edit their "
            f"{', '.join(sent)}."
        )


class OptionsField(forms.CharField):
    """A variant's options as staff type them, `size=M, colour=red`, or as a JSON object (for a
    value holding a comma or an equals sign); checked and tidied by `services.clean_options`."""

    widget = forms.TextInput(attrs={"placeholder": "size=M, colour=red", "size": 18})

    def prepare_value(self, value):
        if not isinstance(value, dict):
            return value
        if any("," in text or "=" in text for pair in value.items() for text in pair):
            return json.dumps(value, ensure_ascii=False)
        return ", ".join(f"{name}={option}" for name, option in value.items())

    def has_changed(self, initial, data) -> bool:
        """Compared as options: no options shown (`None` or `{}`) and none typed is no change."""
        if self.disabled:
            return False
        try:
            return (initial or {}) != self.to_python(data)
        except ValidationError:
            return True

    def to_python(self, value) -> dict[str, str]:
        text = super().to_python(value)
        if text.startswith("{"):
            try:
                options = json.loads(text)
            except ValueError:
                raise ValidationError("Not a JSON object.") from None
        else:
            options = {}
            for pair in filter(None, (part.strip() for part in text.split(","))):
                name, equals, option = pair.partition("=")
                if not equals:
                    raise ValidationError(f"{pair!r} is not name=value.")
                if name.strip() in options:
                    raise ValidationError(f"Option {name.strip()!r} is given twice.")
                options[name.strip()] = option
        try:
            return services.clean_options(options)
        except InvalidValue as error:
            raise ValidationError(error.detail) from None


class ProductVariantForm(forms.ModelForm):
    options = OptionsField(required=False, help_text="size=M, colour=red, or a JSON object.")

    class Meta:
        model = ProductVariant
        fields = ("sku", "name", "options", "price", "stock", "position")

    def __init__(self, *args, edited_with_the_product: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        if not self.instance.pk:
            # Blank, not the model's 0: the variant comes last, and an untouched empty row is
            # left alone.
            self.initial["position"] = None
        if edited_with_the_product:
            for name in _EDITED_WITH_THE_PRODUCT:
                self.fields[name].disabled = True
                self.fields[name].widget.attrs["title"] = (
                    "The product's only variant: edited above, with the product."
                )


class ProductVariantFormSet(BaseInlineFormSet):
    """The variants of a product's page; a product keeps at least one, and no two of them have
    the same options. (The services check both again, against the rows as they are when the
    page is saved.)"""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["edited_with_the_product"] = (
            index is not None
            and index < self.initial_form_count()
            and self.instance.variant_count == 1
        )
        return kwargs

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if not self._should_delete_form(form) and (form.instance.pk or form.has_changed())
        ]
        if self.initial_forms and not any(form.instance.pk for form in kept):
            raise ValidationError(
                "A product keeps at least one variant: change the last one instead of deleting it."
            )
        seen = set()
        for form in kept:
            options = form.cleaned_data["options"]
            if frozenset(options.items()) in seen:
                shown = OptionsField().prepare_value(options) or "none"
                raise ValidationError(f"Two variants have the same options ({shown}).")
            seen.add(frozenset(options.items()))


class ProductVariantInline(admin.TabularInline):
    """A product's variants (its sizes, its colours), written through the services
    (`ProductAdmin.save_formset`). Whoever may change a product may edit its variants, as over
    the API: a variant is part of its product."""

    model = ProductVariant
    form = ProductVariantForm
    formset = ProductVariantFormSet
    extra = 1
    fields = ("sku", "name", "options", "price", "stock", "position")
    ordering = ("position", "id")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Inputs narrower than the admin's own, so that a row fits the page's form.
        if db_field.name in ("sku", "name"):
            kwargs["widget"] = forms.TextInput(attrs={"size": 12})
        if db_field.name == "price":
            kwargs["widget"] = forms.NumberInput(attrs={"class": "vBigIntegerField"})
        if db_field.name == "stock":
            # Remembers the stock it showed: see `_stock_field`.
            kwargs["show_hidden_initial"] = True
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("catalog.view_product") or self._may_change_products(request)

    def has_add_permission(self, request, obj) -> bool:
        return self._may_change_products(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_change_products(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may_change_products(request)

    def _may_change_products(self, request) -> bool:
        return request.user.has_perm("catalog.change_product")


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
class ProductAdmin(ServiceAdmin):
    """Products with their variants and images; every row the admin shows or hands to a
    service comes from `get_queryset`, which adds each product's variants' stock together and
    counts them in the same query (`variant_stock`, `variant_count`)."""

    form = ProductAdminForm
    inlines = (ProductVariantInline, ProductImageInline)
    list_display = ("sku", "name", "category", "price", "stock", "is_active")
    list_display_links = ("sku", "name")
    # And `stock`, a field of the rows' form (`ProductListForm`).
    list_editable = ("price", "is_active")
    list_filter = (("category", CategorySubtreeFilter), "is_active", InStockFilter)
    list_select_related = ("category",)
    search_fields = ("sku", "name", "variants__sku")
    prepopulated_fields = {"slug": ("name",)}
    fields = (
        "sku",
        "name",
        "slug",
        "category",
        "description",
        "price",
        "stock",
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

    def get_queryset(self, request):
        variants = ProductVariant.objects.filter(product_id=OuterRef("pk")).order_by()
        by_product = variants.values("product_id")
        return (
            super()
            .get_queryset(request)
            .annotate(
                variant_stock=Subquery(by_product.annotate(total=Sum("stock")).values("total")),
                variant_count=Subquery(by_product.annotate(count=Count("id")).values("count")),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        """A product with several variants shows its summaries, which its variants' rows edit
        (`ProductAdminForm`)."""
        if obj is not None and obj.variant_count > 1:
            return ("sku", "price", "stock", "created_at", "updated_at")
        return ("created_at", "updated_at")

    def get_inline_instances(self, request, obj=None):
        """No variants' inline on the add page: the product's first variant is made from the
        product's form, and the others are added on its page once it exists."""
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            return [inline for inline in inlines if not isinstance(inline, ProductVariantInline)]
        return inlines

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ProductListForm, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "price":
            # Django's admin has no narrow widget for decimals: the default input is as wide as
            # a text field, and even the big-integer one (10em) pushed the list's last column
            # out of a 1280-pixel window beside the category tree's filter. An integer's (5em)
            # shows any everyday price; the CSP allows no inline style to size it otherwise.
            kwargs["widget"] = forms.NumberInput(attrs={"class": "vIntegerField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="stock", ordering="variant_stock")
    def stock(self, product: Product) -> int:
        return product.variant_stock

    def save_formset(self, request, form, formset, change):
        """The variants' and images' changes through the services, like the product's own."""
        # What the admin's history records (`construct_change_message`).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is ProductVariant:
            self._save_variants(form.instance, formset)
        else:
            self._save_images(form.instance, formset)

    def _save_variants(self, product: Product, formset: ProductVariantFormSet) -> None:
        """Deletions first, then changes, then additions: an option freed by a deleted or
        changed variant may be taken by another in the same save."""
        for variant_form in formset.deleted_forms:
            if variant_form.instance.pk:
                formset.deleted_objects.append(variant_form.instance)
                services.delete_variant(variant=variant_form.instance)
        for variant_form in formset.forms:
            if variant_form in formset.deleted_forms or not variant_form.has_changed():
                continue
            data = variant_form.cleaned_data
            if variant_form.instance.pk:
                changed = {
                    name: data[name]
                    for name in variant_form.changed_data
                    if name in services.VARIANT_FIELDS and data[name] is not None
                }
                services.update_variant(variant=variant_form.instance, data=changed)
                formset.changed_objects.append((variant_form.instance, list(changed)))
            else:
                variant = services.create_variant(
                    product=product,
                    sku=data["sku"],
                    price=data["price"],
                    options=data["options"],
                    stock=data["stock"],
                    name=data["name"],
                    position=data["position"],
                )
                formset.new_objects.append(variant)

    def _save_images(self, product: Product, formset) -> None:
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
class CategoryAdmin(ServiceAdmin):
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
