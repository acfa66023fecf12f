"""What a generated client needs from the schema, checked on the served document itself."""

import pytest
from django.test import Client

from orders.models import OrderStatus

ANONYMOUS = [
    ("post", "/api/v1/auth/register/"),
    ("post", "/api/v1/auth/token/"),
    ("post", "/api/v1/auth/token/refresh/"),
    ("post", "/api/v1/auth/token/verify/"),
    ("get", "/api/v1/health/"),
    ("get", "/api/v1/categories/"),
    ("get", "/api/v1/categories/{slug}/"),
    ("get", "/api/v1/products/"),
    ("get", "/api/v1/products/{id}/"),
]
SIGNED_IN = [
    ("post", "/api/v1/products/"),
    ("delete", "/api/v1/categories/{slug}/"),
    ("get", "/api/v1/auth/me/"),
    ("get", "/api/v1/orders/"),
    ("post", "/api/v1/payments/"),
]


@pytest.fixture(scope="module")
def schema() -> dict:
    response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _component(schema: dict, ref: dict) -> dict:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def _body(schema: dict, method: str, path: str, status: int) -> dict:
    response = schema["paths"][path][method]["responses"][str(status)]
    return _component(schema, response["content"]["application/json"]["schema"])


@pytest.mark.parametrize(("method", "path"), ANONYMOUS)
def test_anonymous_operations_say_so(schema, method, path):
    assert {} in schema["paths"][path][method]["security"]


@pytest.mark.parametrize(("method", "path"), SIGNED_IN)
def test_signed_in_operations_need_a_token(schema, method, path):
    security = schema["paths"][path][method]["security"]
    assert {} not in security
    assert {"jwtAuth": []} in security


def test_money_in_query_parameters_is_a_decimal_string(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/products/"]["get"]["parameters"]}
    for name in ("min_price", "max_price"):
        assert parameters[name]["schema"]["type"] == "string"
        assert parameters[name]["schema"]["format"] == "decimal"


def test_every_path_id_is_an_integer_but_a_carts_a_uuid(schema):
    ids = {
        (method, path): parameter["schema"]
        for method, path, operation in _operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"] == "id"
    }
    paths = {path for _, path in ids}
    assert {"/api/v1/products/{id}/", "/api/v1/orders/{id}/", "/api/v1/payments/{id}/"} <= paths
    assert "/api/v1/carts/{id}/lines/{line_id}/" in paths
    carts = {key: value for key, value in ids.items() if key[1].startswith("/api/v1/carts/")}
    assert all(id_schema == {"type": "string", "format": "uuid"} for id_schema in carts.values())
    others = [id_schema for key, id_schema in ids.items() if key not in carts]
    assert all(id_schema["type"] == "integer" for id_schema in others)


def test_one_order_status_enum_for_the_order_its_history_and_the_filter(schema):
    components = schema["components"]["schemas"]
    assert components["OrderStatus"]["enum"] == list(OrderStatus.values)
    status_enums = [
        name for name, component in components.items() if set(component.get("enum", ())) & {"paid"}
    ]
    assert status_enums == ["OrderStatus"]
    ref = {"$ref": "#/components/schemas/OrderStatus"}
    assert components["Order"]["properties"]["status"]["allOf"] == [ref]
    assert components["OrderEvent"]["properties"]["status"]["allOf"] == [ref]
    parameters = schema["paths"]["/api/v1/orders/"]["get"]["parameters"]
    assert next(p for p in parameters if p["name"] == "status")["schema"] == ref


@pytest.mark.parametrize("name", ["Address", "Order", "OrderEvent", "Product", "Payment"])
def test_response_objects_require_every_key_they_return(schema, name):
    component = schema["components"]["schemas"][name]
    assert set(component["required"]) == set(component["properties"])


def test_error_bodies_declare_their_extra_keys(schema):
    placing = "/api/v1/orders/"
    bad_order = _body(schema, "post", placing, 400)["anyOf"]
    reservation = _component(schema, bad_order[0])
    assert {"detail", "code", "unavailable_product_ids", "shortages"} <= set(
        reservation["required"]
    )
    assert _component(schema, _body(schema, "post", placing, 409)["anyOf"][0]) == reservation
    transition = _body(schema, "post", "/api/v1/orders/{id}/deliver/", 409)
    assert {"current_status", "requested_status"} <= set(transition["required"])
    shipping = [
        _component(schema, body)
        for body in _body(schema, "post", "/api/v1/orders/{id}/ship/", 409)["anyOf"]
    ]
    assert shipping[0] == transition
    assert "missing_fields" in shipping[1]["required"]
    throttled = _body(schema, "post", "/api/v1/auth/token/", 429)
    assert "retry_after" in throttled["required"]


def test_response_headers_are_declared(schema):
    for method, path, operation in _operations(schema):
        for status in ("429", "503"):
            if status in operation["responses"]:
                headers = operation["responses"][status].get("headers", {})
                assert "Retry-After" in headers, (method, path, status)
    placing = schema["paths"]["/api/v1/orders/"]["post"]["responses"]
    paying = schema["paths"]["/api/v1/payments/"]["post"]["responses"]
    for response in (placing["201"], paying["201"], paying["202"]):
        assert "Idempotent-Replayed" in response["headers"]


def test_the_idempotency_key_is_one_parameter(schema):
    def key(path: str) -> dict:
        parameters = schema["paths"][path]["post"]["parameters"]
        return next(p for p in parameters if p["name"] == "Idempotency-Key")

    assert key("/api/v1/orders/") == key("/api/v1/payments/")
