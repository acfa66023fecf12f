"""The catalog's HTTP endpoints: thin viewsets that read through selectors and write through
services. Anyone may read; only staff with the catalog's Django permissions may write (anyone
else signed in gets 403, an anonymous caller 401).

Each viewset's `serializer_class` is its write serializer (which also draws the browsable API's
form); responses always use the plain read serializers, and every product response is
`product_json` of a row that `selectors` read.
"""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from catalog import cache, images, selectors, services
from catalog.exceptions import (
    InvalidImage,
    ProductImageNotFound,
    ProductNotFound,
    VariantNotFound,
)
from catalog.filters import ProductFilter, ProductListQuerySerializer
from catalog.serializers import (
    CategoryDetailSerializer,
    CategorySerializer,
    CategoryWriteSerializer,
    ProductDetailSerializer,
    ProductImageSerializer,
    ProductImageUploadSerializer,
    ProductImageWriteSerializer,
    ProductSerializer,
    ProductVariantSerializer,
    ProductVariantWriteSerializer,
    ProductWriteSerializer,
    image_json,
    product_detail_json,
    product_json,
    variant_json,
)
from kernel.api.pagination import PageQuerySerializer
from kernel.api.permissions import StaffPermission, forbidden_without
from kernel.api.schema import (
    ErrorSerializer,
    ValidationErrorSerializer,
    any_of,
    error_response,
    error_responses,
)
from kernel.api.serializers import EmptyQuerySerializer, validated
from kernel.api.views import GenericViewSet

FILTER_PARAMETERS = frozenset(ProductFilter.base_filters)


class ProductHasVariantsErrorSerializer(ErrorSerializer):
    """`product_has_variants`: `sku`, `price` or `stock` written on a product with several
    variants."""

    fields = serializers.ListField(
        child=serializers.CharField(), help_text="The fields refused: write them per variant."
    )


_PRODUCT_WRITE_400 = {
    400: error_response(
        any_of(ProductHasVariantsErrorSerializer, ValidationErrorSerializer),
        'Validation error (`{"field": ["message", ...]}`), or `product_has_variants` naming '
        "the `fields` (`sku`, `price`, `stock`) written on a product with several variants: "
        "each variant has its own.",
    )
}
_VARIANT_WRITE_400 = {
    400: error_response(
        any_of(ErrorSerializer, ValidationErrorSerializer),
        'Validation error (`{"field": ["message", ...]}`: a SKU any variant has, option names '
        "other than the product's other variants'), or `duplicate_options`: another variant "
        "of the product has these options.",
    )
}


@extend_schema(tags=["catalog"])
class CategoryViewSet(GenericViewSet):
    permission_classes = [StaffPermission]
    required_permissions = {
        "create": ["catalog.add_category"],
        "partial_update": ["catalog.change_category"],
        "destroy": ["catalog.delete_category"],
    }
    lookup_field = "slug"
    lookup_value_converter = "slug"
    filter_backends: list = []
    serializer_class = CategoryWriteSerializer

    def get_queryset(self):
        return selectors.category_list()

    def get_query_serializer_class(self):
        return PageQuerySerializer if self.action == "list" else EmptyQuerySerializer

    @extend_schema(
        summary="List categories",
        responses={200: CategorySerializer(many=True), **error_responses(400, 404)},
    )
    def list(self, request):
        return Response(cache.cached(request, self.query, self._page))

    def _page(self) -> dict:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CategorySerializer(page, many=True).data).data

    @extend_schema(
        summary="Get a category",
        description="With its breadcrumbs (`path`): its ancestors, root first, then itself.",
        responses={200: CategoryDetailSerializer, **error_responses(404)},
    )
    def retrieve(self, request, slug: str):
        return self._category_response(slug)

    @extend_schema(
        summary="Create a category (staff)",
        request=CategoryWriteSerializer,
        responses={
            201: CategoryDetailSerializer,
            **error_responses(400, 401),
            **forbidden_without("catalog.add_category"),
        },
    )
    def create(self, request):
        category = services.create_category(**validated(CategoryWriteSerializer, request.data))
        return self._category_response(category.slug, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a category (staff)",
        request=CategoryWriteSerializer(partial=True),
        responses={
            200: CategoryDetailSerializer,
            **error_responses(400, 401, 404),
            **forbidden_without("catalog.change_category"),
        },
    )
    def partial_update(self, request, slug: str):
        category = services.update_category(
            category=self.get_object(),
            data=validated(CategoryWriteSerializer, request.data, partial=True),
        )
        return self._category_response(category.slug)

    @extend_schema(
        summary="Delete a category (staff); its products stay, without a category",
        description="A category with subcategories is 409 `category_has_children`.",
        responses={
            204: None,
            **error_responses(401, 404, 409),
            **forbidden_without("catalog.delete_category"),
        },
    )
    def destroy(self, request, slug: str):
        services.delete_category(category=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _category_response(self, slug: str, *, status_code: int = status.HTTP_200_OK):
        category = selectors.category_with_path(slug=slug)
        if category is None:
            raise Http404
        return Response(CategoryDetailSerializer(category).data, status=status_code)


@extend_schema(tags=["catalog"])
class ProductViewSet(GenericViewSet):
    permission_classes = [StaffPermission]
    required_permissions = {
        "create": ["catalog.add_product"],
        "update": ["catalog.change_product"],
        "partial_update": ["catalog.change_product"],
        "destroy": ["catalog.delete_product"],
    }
    filterset_class = ProductFilter
    serializer_class = ProductWriteSerializer

    def get_queryset(self):
        """What `get_object()` finds for a write: a model instance, which the services take."""
        return selectors.products_to_change()

    def get_query_serializer_class(self):
        return ProductListQuerySerializer if self.action == "list" else EmptyQuerySerializer

    def filter_queryset(self, queryset):
        """The list's query parameters narrow the list only, never one product's URL.

        Without any of them, the filter set (which costs more than the page's queries) is
        skipped: there is nothing to validate or apply.
        """
        if self.action != "list" or not self.request.query_params.keys() & FILTER_PARAMETERS:
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        summary="List products",
        description="Inactive products are listed for staff only.",
        responses={200: ProductSerializer(many=True), **error_responses(400, 404)},
    )
    def list(self, request):
        return Response(cache.cached_products(request, self.query, self._page))

    def _page(self) -> dict:
        products = self.filter_queryset(selectors.product_rows(user=self.request.user))
        page = self.paginate_queryset(products)
        zone = timezone.get_current_timezone()
        product_ids = [row["id"] for row in page]
        first = selectors.first_images(product_ids=product_ids)
        variants = selectors.variants_by_product(product_ids=product_ids)
        return self.get_paginated_response(
            [
                {
                    **product_json(row, variants[row["id"]], zone),
                    "thumbnail": _image_or_none(first.get(row["id"])),
                }
                for row in page
            ]
        ).data

    @extend_schema(
        summary="Get a product",
        description="An inactive product is 404 except for staff.",
        responses={200: ProductDetailSerializer, **error_responses(404)},
    )
    def retrieve(self, request, pk: int):
        detail = cache.cached_products(
            request, self.query, lambda: _product_detail(request.user, pk)
        )
        return Response(detail)

    @extend_schema(
        summary="Create a product (staff)",
        request=ProductWriteSerializer,
        responses={
            201: ProductDetailSerializer,
            **error_responses(400, 401),
            **forbidden_without("catalog.add_product"),
        },
    )
    def create(self, request):
        product = services.create_product(**validated(ProductWriteSerializer, request.data))
        return self._product_response(product.id, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace a product (staff)",
        description="A product with several variants takes no `sku`, `price` or `stock`: "
        "each variant has its own.",
        request=ProductWriteSerializer,
        responses={
            200: ProductDetailSerializer,
            **error_responses(401, 404),
            **_PRODUCT_WRITE_400,
            **forbidden_without("catalog.change_product"),
        },
    )
    def update(self, request, pk: int):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change a product (staff)",
        description="`sku`, `price` and `stock` are its one variant's; on a product with "
        "several variants they are 400 `product_has_variants`.",
        request=ProductWriteSerializer(partial=True),
        responses={
            200: ProductDetailSerializer,
            **error_responses(401, 404),
            **_PRODUCT_WRITE_400,
            **forbidden_without("catalog.change_product"),
        },
    )
    def partial_update(self, request, pk: int):
        return self._update(request, partial=True)

    @extend_schema(
        summary="Delete a product (staff)",
        description="Gone from the catalog for good; existing orders keep their own copies "
        "of its name, SKU and price.",
        responses={
            204: None,
            **error_responses(401, 404),
            **forbidden_without("catalog.delete_product"),
        },
    )
    def destroy(self, request, pk: int):
        services.delete_product(product=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, *, partial: bool) -> Response:
        product = self.get_object()
        several = not partial and selectors.has_several_variants(product_id=product.id)
        data = validated(
            ProductWriteSerializer, request.data, partial=partial, several_variants=several
        )
        services.update_product(product=product, data=data)
        return self._product_response(product.id)

    def _product_response(self, product_id: int, *, status_code: int = status.HTTP_200_OK):
        return Response(_product_detail(self.request.user, product_id), status=status_code)


def _product_detail(user, product_id: int) -> dict:
    """The product's detail as `user` may see it (three queries); 404 if they may not."""
    row = selectors.product_row(user=user, product_id=product_id)
    if row is None:
        raise Http404
    return product_detail_json(
        row,
        selectors.product_variants(product_id=product_id),
        selectors.product_images(product_id=product_id),
    )


def _image_or_none(row: dict | None) -> dict | None:
    return None if row is None else image_json(row)


# A multipart body's overhead beyond its file: boundaries, headers, the `alt` and `position`
# fields. A body longer than the largest image plus this is refused before it is read.
_MULTIPART_ALLOWANCE = 64 * 1024
_IMAGE_PERMISSIONS = {
    "create": ["catalog.add_productimage"],
    "partial_update": ["catalog.change_productimage"],
    "destroy": ["catalog.delete_productimage"],
}


# A staff view of one part of a product (its images, its variants) under `products/<id>/`,
# where `id` is the product's.
_PART_PARAMETERS = [
    OpenApiParameter(
        "id",
        {"type": "integer", "minimum": 1},
        OpenApiParameter.PATH,
        description="The product's id.",
    ),
    OpenApiParameter(
        "variant_id",
        {"type": "integer", "minimum": 1},
        OpenApiParameter.PATH,
        description="The variant's id.",
    ),
    OpenApiParameter(
        "image_id",
        {"type": "integer", "minimum": 1},
        OpenApiParameter.PATH,
        description="The image's id.",
    ),
]


class _ProductPartMixin:
    permission_classes = [StaffPermission]
    filter_backends: list = []

    def _product(self):
        product = selectors.products_to_change().filter(pk=self.kwargs["id"]).first()
        if product is None:
            raise ProductNotFound()
        return product


class _ProductImagesMixin(_ProductPartMixin):
    required_permissions = _IMAGE_PERMISSIONS


@extend_schema(tags=["catalog"], parameters=_PART_PARAMETERS[:1])
class ProductImageUploadViewSet(_ProductImagesMixin, GenericViewSet):
    """The upload, the one multipart endpoint of the API."""

    parser_classes = [MultiPartParser]
    serializer_class = ProductImageUploadSerializer

    @extend_schema(
        summary="Add an image to a product (staff)",
        description="A multipart form: `file` (JPEG, PNG or WebP by its content, at most 10 MB "
        "and 40 megapixels; anything else is 400 `invalid_image`), `alt`, `position` (last "
        "when left out). Stored re-encoded, without metadata (EXIF, GPS, ICC, XMP), the EXIF "
        "orientation applied. Its renditions (`thumbnail_url`, `large_url`) are made in the "
        "background: null until then.",
        request={"multipart/form-data": ProductImageUploadSerializer},
        responses={
            201: ProductImageSerializer,
            **error_responses(400, 401, 404),
            **forbidden_without("catalog.add_productimage"),
        },
    )
    def create(self, request, id: int):
        length = request.META.get("CONTENT_LENGTH") or ""
        if length.isdigit() and int(length) > images.MAX_BYTES + _MULTIPART_ALLOWANCE:
            raise InvalidImage(f"An image may be at most {images.MAX_BYTES // 2**20} MB.")
        product = self._product()
        data = validated(ProductImageUploadSerializer, request.data)
        upload = data.pop("file")
        image = services.add_product_image(product=product, file=upload, size=upload.size, **data)
        return Response(image_json(_image_row(image)), status=status.HTTP_201_CREATED)


@extend_schema(tags=["catalog"], parameters=[_PART_PARAMETERS[0], _PART_PARAMETERS[2]])
class ProductImageViewSet(_ProductImagesMixin, GenericViewSet):
    serializer_class = ProductImageWriteSerializer
    lookup_url_kwarg = "image_id"

    def get_object(self):
        image = (
            selectors.product_images_to_change(product_id=self.kwargs["id"])
            .filter(pk=self.kwargs["image_id"])
            .first()
        )
        if image is None:
            raise ProductImageNotFound()
        return image

    @extend_schema(
        summary="Change a product's image (staff): its alt text or position",
        request=ProductImageWriteSerializer(partial=True),
        responses={
            200: ProductImageSerializer,
            **error_responses(400, 401, 404),
            **forbidden_without("catalog.change_productimage"),
        },
    )
    def partial_update(self, request, id: int, image_id: int):
        data = validated(ProductImageWriteSerializer, request.data, partial=True)
        image = services.update_product_image(image=self.get_object(), data=data)
        return Response(image_json(_image_row(image)))

    @extend_schema(
        summary="Delete a product's image (staff), and its files",
        responses={
            204: None,
            **error_responses(401, 404),
            **forbidden_without("catalog.delete_productimage"),
        },
    )
    def destroy(self, request, id: int, image_id: int):
        services.delete_product_image(image=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _image_row(image) -> dict:
    """An image just written, as the row `catalog.selectors` would read (no query)."""
    return {field: getattr(image, field) for field in selectors.IMAGE_FIELDS} | {
        "file": image.file.name,
        "thumbnail": image.thumbnail.name,
        "large": image.large.name,
    }


# A variant is part of its product: writing one needs the product's change permission, and
# every answer is the variant as the product's detail shows it.
_VARIANT_PERMISSIONS = {
    action: ["catalog.change_product"] for action in ("create", "partial_update", "destroy")
}


@extend_schema(tags=["catalog"], parameters=_PART_PARAMETERS[:2])
class ProductVariantViewSet(_ProductPartMixin, GenericViewSet):
    required_permissions = _VARIANT_PERMISSIONS
    serializer_class = ProductVariantWriteSerializer
    lookup_url_kwarg = "variant_id"

    def get_object(self):
        variant = (
            selectors.product_variants_to_change(product_id=self.kwargs["id"])
            .filter(pk=self.kwargs["variant_id"])
            .first()
        )
        if variant is None:
            raise VariantNotFound()
        return variant

    @extend_schema(
        summary="Add a variant to a product (staff)",
        description="Its option names are those of the product's other variants; the same "
        "values as another's is 400 `duplicate_options`; a SKU any variant has is 400.",
        request=ProductVariantWriteSerializer,
        responses={
            201: ProductVariantSerializer,
            **error_responses(401, 404),
            **_VARIANT_WRITE_400,
            **forbidden_without("catalog.change_product"),
        },
    )
    def create(self, request, id: int):
        product = self._product()
        data = validated(ProductVariantWriteSerializer, request.data)
        variant = services.create_variant(product=product, **data)
        return Response(_variant_response(variant), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a product's variant (staff)",
        description="New options keep the names of the product's other variants; a name made "
        "from the old values is made again from the new ones, a name given stays (a blank one "
        "is made again). `position` orders the product's variants; its first one gives the "
        "product its `sku`.",
        request=ProductVariantWriteSerializer(partial=True),
        responses={
            200: ProductVariantSerializer,
            **error_responses(401, 404),
            **_VARIANT_WRITE_400,
            **forbidden_without("catalog.change_product"),
        },
    )
    def partial_update(self, request, id: int, variant_id: int):
        data = validated(ProductVariantWriteSerializer, request.data, partial=True)
        variant = services.update_variant(variant=self.get_object(), data=data)
        return Response(_variant_response(variant))

    @extend_schema(
        summary="Delete a product's variant (staff)",
        description="A product's last variant is 409 `last_variant`: delete the product.",
        responses={
            204: None,
            **error_responses(401, 404),
            409: error_response(ErrorSerializer, "`last_variant`: the product's only variant."),
            **forbidden_without("catalog.change_product"),
        },
    )
    def destroy(self, request, id: int, variant_id: int):
        services.delete_variant(variant=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _variant_response(variant) -> dict:
    """A variant just written, as the row `catalog.selectors` would read (no query)."""
    return variant_json({field: getattr(variant, field) for field in selectors.VARIANT_FIELDS})
