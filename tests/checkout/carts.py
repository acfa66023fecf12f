"""Helpers of the cart tests: a cart and its lines through the API."""

from rest_framework.test import APIClient

CARTS = "/api/v1/carts/"


def new_cart(client: APIClient, **body) -> dict:
    """A new cart, made through the API by `client` (a guest's with the anonymous client)."""
    response = client.post(CARTS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def add_line(client: APIClient, cart_id: str, **body):
    return client.post(f"{CARTS}{cart_id}/lines/", body, format="json")
