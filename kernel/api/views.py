"""The base classes of every API view: DRF's, with each read's query string validated.

A read (GET, HEAD) validates its query string with its view's `get_query_serializer_class()`
(a `QuerySerializer`) before its handler runs, once the caller is authenticated and allowed:
an unknown parameter, one given twice or a malformed value is a 400 naming it, and the
handler finds the validated, normalised values in `self.query`. A view that takes no
parameters keeps the default, `EmptyQuerySerializer`; a viewset answers per action.

So no URL can carry something the API does not read: a cache keyed by `self.query` (the
catalog's) holds one entry per real query, and a client's typo (`?ordring=price`) is an error
rather than a silently unfiltered list. Writes take their input from the body and ignore the
query string: the browsable API's forms post to the page's own URL, `?page=2` and all.
"""

from django.utils.cache import add_never_cache_headers
from rest_framework import views, viewsets

from kernel.api.order_key import order_key
from kernel.api.serializers import EmptyQuerySerializer, QuerySerializer, validated

READS = frozenset({"GET", "HEAD"})


class QueryParametersMixin:
    query_serializer_class: type[QuerySerializer] = EmptyQuerySerializer
    query: dict

    def get_query_serializer_class(self) -> type[QuerySerializer]:
        return self.query_serializer_class

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        # Without a query string there is nothing to validate, and building a serializer
        # costs a measurable part of a cached read.
        self.query = (
            validated(self.get_query_serializer_class(), request.query_params)
            if request.method in READS and request.query_params
            else {}
        )


class APIView(QueryParametersMixin, views.APIView):
    pass


class GenericViewSet(QueryParametersMixin, viewsets.GenericViewSet):
    def finalize_response(self, request, response, *args, **kwargs):
        """A response to a request carrying a guest order's key (`kernel.api.order_key`) is
        kept by no cache: it shows what only the key's holder may see."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if order_key(request) is not None:
            add_never_cache_headers(response)
        return response
