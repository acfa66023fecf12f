"""The edges a newcomer hits first: slashless URLs, the API root, CORS, the throttle cache."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

debug_on_and_off = pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])


# --- a missing trailing slash -----------------------------------------------------------------


@debug_on_and_off
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
def test_a_slashless_url_is_a_308_to_the_slashed_one_for_every_method(debug, method):
    with override_settings(DEBUG=debug):
        response = getattr(Client(), method)("/api/v1/orders", content_type="application/json")

    assert response.status_code == 308
    assert response["Location"] == "/api/v1/orders/"


@debug_on_and_off
def test_the_308_keeps_the_query_string(debug):
    with override_settings(DEBUG=debug):
        response = Client().post("/api/v1/products?page=2&search=tea", {}, "application/json")

    assert response.status_code == 308
    assert response["Location"] == "/api/v1/products/?page=2&search=tea"


@debug_on_and_off
def test_a_post_through_the_308_places_the_order_it_was_sent_to_place(debug, customer_client):
    with override_settings(DEBUG=debug):
        response = customer_client.post("/api/v1/orders", {"items": []}, follow=True)

    assert response.redirect_chain == [("/api/v1/orders/", 308)]
    assert response.status_code == 400
    assert "items" in response.json()


@debug_on_and_off
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_slashless_api_url_that_does_not_exist_either_way_is_a_json_404(debug, method):
    with override_settings(DEBUG=debug):
        response = getattr(Client(), method)("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_slashless_admin_url_is_redirected_too():
    response = Client().get("/admin")

    assert response.status_code == 308
    assert response["Location"] == "/admin/"
