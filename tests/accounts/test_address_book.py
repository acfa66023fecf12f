"""The address book, `/api/v1/auth/addresses/`: each user's own addresses, one of them the
default shipping address while there are any, and the checkout's read of that default."""

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.test import Client
from rest_framework.test import APIClient

from accounts import services
from accounts.exceptions import AddressBookFull
from accounts.models import Address
from tests.concurrency import run_concurrently
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ADDRESSES = "/api/v1/auth/addresses/"
HOME = {
    "name": "Ada Lovelace",
    "line1": "1 Main Street",
    "city": "London",
    "postal_code": "SW1A 1AA",
    "country": "GB",
}
WORK = {
    "name": "Ada Lovelace",
    "line1": "Analytical Engines Ltd",
    "line2": "Floor 2",
    "city": "Berlin",
    "region": "Berlin",
    "postal_code": "10115",
    "country": "DE",
    "phone": "+49 30 123456",
}
BLANKS = {"line2": "", "region": "", "phone": ""}
THREADS = 8


def detail(address_id: int) -> str:
    return f"{ADDRESSES}{address_id}/"


def add(client: APIClient, address: dict | None = None, **extra) -> dict:
    response = client.post(ADDRESSES, {**(address or HOME), **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def defaults_of(user) -> list[int]:
    return list(
        Address.objects.filter(user=user, is_default_shipping=True).values_list("id", flat=True)
    )


# Every route.


def test_an_address_is_added_with_every_field_and_read_back(customer_client, customer):
    created = add(customer_client)

    assert created == {"id": created["id"], **HOME, **BLANKS, "is_default_shipping": True}
    fetched = customer_client.get(detail(created["id"]))
    assert fetched.status_code == 200
    assert fetched.json() == created
    assert services.default_shipping_address(user_id=customer.pk) == {**HOME, **BLANKS}


def test_the_list_is_paginated_default_first_then_newest_first(customer_client):
    first = add(customer_client)
    second = add(customer_client, WORK)
    third = add(customer_client, name="Charles Babbage")

    response = customer_client.get(ADDRESSES, {"page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [a["id"] for a in body["results"]] == [first["id"], third["id"]]
    assert body["next"] is not None
    rest = customer_client.get(ADDRESSES, {"page_size": 2, "page": 2}).json()["results"]
    assert [a["id"] for a in rest] == [second["id"]]
    assert rest[0] == {"id": second["id"], **WORK, "is_default_shipping": False}


def test_patch_changes_only_the_fields_sent(customer_client):
    created = add(customer_client, WORK)

    response = customer_client.patch(
        detail(created["id"]), {"line2": "", "country": "fr", "city": "Paris"}, format="json"
    )

    assert response.status_code == 200
    expected = {**created, "line2": "", "country": "FR", "city": "Paris"}
    assert response.json() == expected
    assert customer_client.get(detail(created["id"])).json() == expected


def test_delete_removes_the_address(customer_client, customer):
    created = add(customer_client)

    response = customer_client.delete(detail(created["id"]))

    assert response.status_code == 204
    assert customer_client.get(detail(created["id"])).status_code == 404
    assert customer_client.get(ADDRESSES).json()["count"] == 0
    assert services.default_shipping_address(user_id=customer.pk) is None


def test_the_address_book_needs_a_signed_in_user(anon_client, customer_client):
    created = add(customer_client)
    calls = [
        ("get", ADDRESSES, None),
        ("post", ADDRESSES, HOME),
        ("get", detail(created["id"]), None),
        ("patch", detail(created["id"]), {"city": "Leeds"}),
        ("delete", detail(created["id"]), None),
    ]
    for method, path, body in calls:
        response = getattr(anon_client, method)(path, body, format="json")
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "not_authenticated"
    assert customer_client.get(detail(created["id"])).json() == created


def test_answers_are_never_cached(customer_client):
    created = add(customer_client)

    for response in (customer_client.get(ADDRESSES), customer_client.get(detail(created["id"]))):
        assert "no-store" in response["Cache-Control"]


# Another user's address is not found, and stays as it was.


def test_another_users_address_is_404_for_every_route(customer_client, other_client, customer):
    theirs = add(other_client, WORK)
    mine = add(customer_client)
    missing = theirs["id"] + mine["id"] + 1000
    for address_id in (theirs["id"], missing):
        assert customer_client.get(detail(address_id)).status_code == 404
        patched = customer_client.patch(detail(address_id), {"city": "Leeds"}, format="json")
        assert patched.status_code == 404
        assert patched.json() == {"detail": "No such address.", "code": "not_found"}
        made_default = customer_client.patch(
            detail(address_id), {"is_default_shipping": True}, format="json"
        )
        assert made_default.status_code == 404
        assert customer_client.delete(detail(address_id)).status_code == 404

    assert [a["id"] for a in customer_client.get(ADDRESSES).json()["results"]] == [mine["id"]]
    assert other_client.get(detail(theirs["id"])).json() == theirs
    assert customer_client.get(detail(mine["id"])).json() == mine


# Validation: the kernel's address rules, strict input.


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "GBR"}, "country"),
        ({"country": 44}, "country"),
        ({"name": ""}, "name"),
        ({"city": "   "}, "city"),
        ({"postal_code": "x" * 21}, "postal_code"),
        ({"line1": "1 Main\nStreet"}, "line1"),
        ({"is_default_shipping": "true"}, "is_default_shipping"),
        ({"id": 7}, "id"),
        ({"user": 1}, "user"),
    ],
)
def test_a_bad_address_is_400_on_its_field(customer_client, change, field):
    response = customer_client.post(ADDRESSES, {**HOME, **change}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert customer_client.get(ADDRESSES).json()["count"] == 0


@pytest.mark.parametrize("required", ["name", "line1", "city", "postal_code", "country"])
def test_each_required_field_is_required(customer_client, required):
    address = {key: value for key, value in HOME.items() if key != required}

    response = customer_client.post(ADDRESSES, address, format="json")

    assert response.status_code == 400
    assert response.json() == {required: ["This field is required."]}


def test_a_lower_case_country_is_upper_cased(customer_client):
    assert add(customer_client, country="de")["country"] == "DE"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "ZZ"}, "country"),
        ({"line1": ""}, "line1"),
        ({"phone": None}, "phone"),
        ({"unknown": "x"}, "unknown"),
        ({"id": 1}, "id"),
    ],
)
def test_a_bad_change_is_400_and_changes_nothing(customer_client, change, field):
    created = add(customer_client, WORK)

    response = customer_client.patch(detail(created["id"]), change, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert customer_client.get(detail(created["id"])).json() == created


def test_a_body_that_is_not_an_object_is_400(customer_client):
    response = customer_client.post(ADDRESSES, [HOME], format="json")

    assert response.status_code == 400
    assert customer_client.get(ADDRESSES).json()["count"] == 0


def test_an_unknown_query_parameter_is_400(customer_client):
    created = add(customer_client)

    assert customer_client.get(ADDRESSES, {"ordering": "city"}).status_code == 400
    assert customer_client.get(detail(created["id"]), {"page": 1}).status_code == 400


# The default shipping address.


def test_the_first_address_is_the_default_whatever_is_sent(customer_client, customer):
    first = add(customer_client, is_default_shipping=False)

    assert first["is_default_shipping"] is True
    assert defaults_of(customer) == [first["id"]]


def test_a_later_address_is_not_the_default_unless_asked(customer_client, customer):
    first = add(customer_client)
    second = add(customer_client, WORK)

    assert second["is_default_shipping"] is False
    assert defaults_of(customer) == [first["id"]]
    assert services.default_shipping_address(user_id=customer.pk) == {**HOME, **BLANKS}


def test_adding_a_new_default_unsets_the_old_one(customer_client, customer):
    first = add(customer_client)
    second = add(customer_client, WORK, is_default_shipping=True)

    assert second["is_default_shipping"] is True
    assert customer_client.get(detail(first["id"])).json()["is_default_shipping"] is False
    assert defaults_of(customer) == [second["id"]]
    assert services.default_shipping_address(user_id=customer.pk) == WORK


def test_making_another_address_the_default_moves_it(customer_client, customer):
    first = add(customer_client)
    second = add(customer_client, WORK)

    response = customer_client.patch(
        detail(second["id"]), {"is_default_shipping": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {**second, "is_default_shipping": True}
    assert defaults_of(customer) == [second["id"]]
    listed = customer_client.get(ADDRESSES).json()["results"]
    assert [(a["id"], a["is_default_shipping"]) for a in listed] == [
        (second["id"], True),
        (first["id"], False),
    ]


def test_making_the_default_the_default_again_changes_nothing(customer_client, customer):
    first = add(customer_client)
    add(customer_client, WORK)

    response = customer_client.patch(
        detail(first["id"]), {"is_default_shipping": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == first
    assert defaults_of(customer) == [first["id"]]


def test_the_default_is_not_unset_without_another_taking_its_place(customer_client, customer):
    first = add(customer_client)
    second = add(customer_client, WORK)

    response = customer_client.patch(
        detail(first["id"]), {"is_default_shipping": False, "city": "Leeds"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["is_default_shipping"]
    assert customer_client.get(detail(first["id"])).json() == first
    # `false` on an address that is not the default is what it already is.
    unchanged = customer_client.patch(
        detail(second["id"]), {"is_default_shipping": False}, format="json"
    )
    assert unchanged.status_code == 200
    assert unchanged.json() == second
    assert defaults_of(customer) == [first["id"]]


def test_deleting_the_default_makes_the_most_recently_added_other_the_default(
    customer_client, customer
):
    first = add(customer_client)
    second = add(customer_client, WORK)
    third = add(customer_client, name="Charles Babbage")
    # Changing an older address does not make it more recent than the newest.
    customer_client.patch(detail(second["id"]), {"city": "Hamburg"}, format="json")

    assert customer_client.delete(detail(first["id"])).status_code == 204

    assert defaults_of(customer) == [third["id"]]
    assert customer_client.delete(detail(third["id"])).status_code == 204
    assert defaults_of(customer) == [second["id"]]
    assert services.default_shipping_address(user_id=customer.pk) == {**WORK, "city": "Hamburg"}


def test_deleting_another_address_keeps_the_default(customer_client, customer):
    first = add(customer_client)
    second = add(customer_client, WORK)

    assert customer_client.delete(detail(second["id"])).status_code == 204

    assert defaults_of(customer) == [first["id"]]


def test_each_user_has_a_default_of_their_own(customer_client, other_client, customer):
    mine = add(customer_client)
    theirs = add(other_client, WORK)

    assert mine["is_default_shipping"]
    assert theirs["is_default_shipping"]
    assert services.default_shipping_address(user_id=customer.pk) == {**HOME, **BLANKS}


def test_default_shipping_address_of_a_user_without_addresses_is_none(customer, staff):
    assert services.default_shipping_address(user_id=customer.pk) is None
    assert services.default_shipping_address(user_id=staff.pk + 1000) is None


def test_the_database_refuses_a_second_default(customer):
    services.create_address(user_id=customer.pk, address=HOME)
    second = services.create_address(user_id=customer.pk, address=WORK)

    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.filter(pk=second.id).update(is_default_shipping=True)


# The cap.


def test_a_book_holds_at_most_max_addresses(customer_client, other_client, monkeypatch):
    monkeypatch.setattr(services, "MAX_ADDRESSES", 3)
    kept = [add(customer_client, name=f"Ada {n}") for n in range(3)]

    response = customer_client.post(ADDRESSES, WORK, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "An address book holds at most 3 addresses; delete one first.",
        "code": "address_book_full",
    }
    assert customer_client.get(ADDRESSES).json()["count"] == 3
    # Another user's book is their own; and a deleted address makes room.
    assert add(other_client)["is_default_shipping"] is True
    assert customer_client.delete(detail(kept[1]["id"])).status_code == 204
    assert add(customer_client, WORK)["is_default_shipping"] is False


def test_the_cap_is_fifty(customer):
    for n in range(services.MAX_ADDRESSES):
        services.create_address(user_id=customer.pk, address={**HOME, "name": f"Ada {n}"})

    assert services.MAX_ADDRESSES == 50
    with pytest.raises(AddressBookFull):
        services.create_address(user_id=customer.pk, address=HOME)
    assert Address.objects.filter(user=customer).count() == 50


# Query budgets: exact.

LIST_QUERIES = 3  # the user (authentication), the count, the page
ONE_QUERIES = 2  # the user, the address


@pytest.mark.parametrize("count", [1, 25])
def test_the_list_costs_the_same_for_any_number_of_addresses(
    customer_client, customer, django_assert_num_queries, count
):
    for n in range(count):
        services.create_address(user_id=customer.pk, address={**HOME, "name": f"Ada {n}"})

    with django_assert_num_queries(LIST_QUERIES):
        response = customer_client.get(ADDRESSES)

    assert response.json()["count"] == count


def test_reading_one_address_is_two_queries(customer_client, django_assert_num_queries):
    created = add(customer_client)

    with django_assert_num_queries(ONE_QUERIES):
        assert customer_client.get(detail(created["id"])).status_code == 200


@pytest.mark.parametrize(
    ("existing", "is_default", "queries"),
    [
        # the user, the lock, the count, the insert (in a savepoint: two more)
        (0, False, 6),
        (1, False, 6),
        # ... and the old default unset
        (1, True, 7),
    ],
)
def test_adding_an_address_has_an_exact_budget(
    customer_client, customer, django_assert_num_queries, existing, is_default, queries
):
    for _ in range(existing):
        services.create_address(user_id=customer.pk, address=HOME)

    with django_assert_num_queries(queries):
        add(customer_client, WORK, is_default_shipping=is_default)


@pytest.mark.parametrize(
    ("body", "queries"),
    [
        # the user, savepoint, the lock, the address, the update, release
        ({"city": "Leeds"}, 6),
        # ... and the old default unset
        ({"is_default_shipping": True}, 7),
    ],
)
def test_changing_an_address_has_an_exact_budget(
    customer_client, customer, django_assert_num_queries, body, queries
):
    services.create_address(user_id=customer.pk, address=HOME)
    second = services.create_address(user_id=customer.pk, address=WORK)

    with django_assert_num_queries(queries):
        response = customer_client.patch(detail(second.id), body, format="json")

    assert response.status_code == 200


@pytest.mark.parametrize(("default", "queries"), [(False, 6), (True, 7)])
def test_deleting_an_address_has_an_exact_budget(
    customer_client, customer, django_assert_num_queries, default, queries
):
    first = services.create_address(user_id=customer.pk, address=HOME)
    second = services.create_address(user_id=customer.pk, address=WORK)
    target = first if default else second

    # the user, savepoint, the lock, the address, the delete, release (the default: promote)
    with django_assert_num_queries(queries):
        assert customer_client.delete(detail(target.id)).status_code == 204


# Races: PostgreSQL only.


@pytest.mark.postgres
def test_racing_make_me_default_requests_leave_exactly_one_default(transactional_db, customer):
    entries = [
        services.create_address(user_id=customer.pk, address={**HOME, "name": f"Ada {n}"})
        for n in range(THREADS)
    ]
    clients = [client_for(customer) for _ in entries]

    responses = run_concurrently(
        *[
            lambda client=client, entry=entry: client.patch(
                detail(entry.id), {"is_default_shipping": True}, format="json"
            )
            for client, entry in zip(clients, entries, strict=True)
        ]
    )

    assert [response.status_code for response in responses] == [200] * THREADS
    assert len(defaults_of(customer)) == 1


@pytest.mark.postgres
def test_racing_first_addresses_make_exactly_one_default(transactional_db, customer):
    clients = [client_for(customer) for _ in range(THREADS)]

    responses = run_concurrently(
        *[lambda client=client: client.post(ADDRESSES, HOME, format="json") for client in clients]
    )

    assert [response.status_code for response in responses] == [201] * THREADS
    assert len(defaults_of(customer)) == 1
    assert sum(response.json()["is_default_shipping"] for response in responses) == 1


@pytest.mark.postgres
def test_racing_adds_never_pass_the_cap(transactional_db, customer, monkeypatch):
    monkeypatch.setattr(services, "MAX_ADDRESSES", 3)
    clients = [client_for(customer) for _ in range(THREADS)]

    responses = run_concurrently(
        *[lambda client=client: client.post(ADDRESSES, HOME, format="json") for client in clients]
    )

    assert sorted(response.status_code for response in responses) == [201] * 3 + [400] * (
        THREADS - 3
    )
    assert Address.objects.filter(user=customer).count() == 3


@pytest.mark.postgres
def test_racing_deletes_of_the_default_leave_one_default(transactional_db, customer):
    entries = [
        services.create_address(user_id=customer.pk, address={**HOME, "name": f"Ada {n}"})
        for n in range(THREADS + 1)
    ]
    clients = [client_for(customer) for _ in range(THREADS)]

    # Every thread deletes a different address, the default among them.
    responses = run_concurrently(
        *[
            lambda client=client, entry=entry: client.delete(detail(entry.id))
            for client, entry in zip(clients, entries, strict=False)
        ]
    )

    assert [response.status_code for response in responses] == [204] * THREADS
    assert defaults_of(customer) == [entries[-1].id]


# The admin: a user's page shows their address book, read-only, to staff who may view it.


def _user_page(client: Client, user) -> str:
    response = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_users_admin_page_shows_their_addresses_read_only(admin_client, customer):
    services.create_address(user_id=customer.pk, address=HOME)
    services.create_address(user_id=customer.pk, address=WORK)

    response = admin_client.get(f"/admin/accounts/user/{customer.pk}/change/")

    (inline,) = response.context["inline_admin_formsets"]
    assert [form.original.line1 for form in inline] == [HOME["line1"], WORK["line1"]]
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission
    html = response.content.decode()
    assert "Analytical Engines Ltd" in html
    assert 'name="addresses-0-line1"' not in html


def test_saving_the_users_page_leaves_their_addresses_alone(admin_client, customer):
    home = services.create_address(user_id=customer.pk, address=HOME)
    form = {
        "email": customer.email,
        "first_name": "Cassie",
        "is_active": "on",
        "addresses-TOTAL_FORMS": "1",
        "addresses-INITIAL_FORMS": "1",
        "addresses-0-id": str(home.id),
        "addresses-0-user": str(customer.pk),
        "addresses-0-line1": "Tampered",
        "addresses-0-DELETE": "on",
    }

    response = admin_client.post(f"/admin/accounts/user/{customer.pk}/change/", form)

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.first_name == "Cassie"
    assert services.default_shipping_address(user_id=customer.pk) == {**HOME, **BLANKS}


def test_staff_see_addresses_only_with_the_view_permission(customer, make_staff):
    services.create_address(user_id=customer.pk, address=WORK)
    viewer = make_staff()
    viewer.user_permissions.set([Permission.objects.get(codename="view_user")])
    client = Client()
    client.force_login(viewer)

    assert "Analytical Engines Ltd" not in _user_page(client, customer)
    viewer.user_permissions.add(Permission.objects.get(codename="view_address"))
    viewer = type(viewer).objects.get(pk=viewer.pk)  # a fresh permission cache
    client.force_login(viewer)
    assert "Analytical Engines Ltd" in _user_page(client, customer)


def test_the_add_user_page_has_no_address_inline(admin_client):
    response = admin_client.get("/admin/accounts/user/add/")

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"] == []
