"""Page-number pagination whose query parameters are validated like request bodies."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


def _positive_int(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["A positive integer is required."]}) from None
    if value < 1:
        raise ValidationError({name: ["A positive integer is required."]})
    return value


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=N`: 20 a page by default, at most 100; a malformed value is 400."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request) -> int:
        requested = _positive_int(request, self.page_size_query_param)
        if requested is None:
            return self.page_size
        return min(requested, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        _positive_int(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
