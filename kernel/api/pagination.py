"""Page-number pagination whose query parameters are validated like request bodies."""

from collections.abc import Callable

from django.core.paginator import InvalidPage
from rest_framework import pagination, serializers
from rest_framework.exceptions import NotFound, ValidationError

from kernel.api.serializers import QuerySerializer

POSITIVE_INTEGER = "A positive integer is required."
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _positive_int(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [POSITIVE_INTEGER]}) from None
    if value < 1:
        raise ValidationError({name: [POSITIVE_INTEGER]})
    return value


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=N`: 20 a page by default, at most 100; a malformed value is 400."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        requested = _positive_int(request, self.page_size_query_param)
        if requested is None:
            return self.page_size
        return min(requested, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        _positive_int(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def paginate_rows(
        self, request, *, count: int, fetch: Callable[[int, int], list], view=None
    ) -> list:
        """`paginate_queryset` for rows read by explicit queries: `count` is how many rows
        there are, `fetch(limit, offset)` reads one page of them. Pages, validates and fails
        (400 for a malformed value, 404 past the last page) exactly as `paginate_queryset`,
        and `get_paginated_response` answers the same envelope afterwards.

        Django's paginator pages `range(count)`, the positions of the rows: the page's slice of
        it is the window to fetch, so only that page is read, in one query.
        """
        _positive_int(request, self.page_query_param)
        self.request = request
        paginator = self.django_paginator_class(range(count), self.get_page_size(request))
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(
                self.invalid_page_message.format(page_number=page_number, message=str(exc))
            ) from None
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        positions = self.page.object_list
        if not positions:
            return []
        return fetch(len(positions), positions.start)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class _PositiveIntegerField(serializers.IntegerField):
    """A number read as the paginator reads it (`int()`: DRF's own field also takes `1.0`), so
    that a value the paginator refuses never validates to a cached page's key."""

    def __init__(self) -> None:
        super().__init__(
            min_value=1,
            required=False,
            error_messages={"invalid": POSITIVE_INTEGER, "min_value": POSITIVE_INTEGER},
        )

    def to_internal_value(self, data) -> int:
        try:
            return int(data)
        except ValueError:
            self.fail("invalid")


class PageQuerySerializer(QuerySerializer):
    """The query string of a list: `page` and `page_size` (each list's serializer adds its own
    filters). The validated data leaves out what is the default (page 1, 20 a page) and caps
    the page size as the paginator does, so that equivalent queries validate to the same data.
    The paginator documents the two parameters in the schema (`kernel.api.schema.AutoSchema`).
    """

    page = _PositiveIntegerField()
    page_size = _PositiveIntegerField()

    def validate(self, attrs: dict) -> dict:
        if attrs.get("page") == 1:
            del attrs["page"]
        if "page_size" in attrs:
            attrs["page_size"] = min(attrs["page_size"], MAX_PAGE_SIZE)
            if attrs["page_size"] == PAGE_SIZE:
                del attrs["page_size"]
        return attrs
