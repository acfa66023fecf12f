"""Moves in the category tree under real concurrency: two moves that are each fine alone
(A beneath B, B beneath A) never close a cycle together."""

import pytest

from catalog import services
from catalog.exceptions import InvalidValue
from catalog.models import Category
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres(), pytest.mark.django_db(transaction=True)]


def move(slug: str, beneath: str):
    category = Category.objects.get(slug=slug)
    return services.update_category(
        category=category, data={"parent": Category.objects.get(slug=beneath)}
    )


def test_crossed_moves_never_make_a_cycle(make_category):
    pairs = [(make_category().slug, make_category().slug) for _ in range(8)]

    outcomes = run_concurrently(
        *[lambda a=a, b=b: move(a, b) for a, b in pairs],
        *[lambda a=a, b=b: move(b, a) for a, b in pairs],
        return_exceptions=True,
    )

    refused = [outcome for outcome in outcomes if isinstance(outcome, InvalidValue)]
    assert len(refused) == len(pairs), outcomes
    assert all(isinstance(outcome, Category) for outcome in outcomes if outcome not in refused)
    parents = dict(Category.objects.values_list("slug", "parent__slug"))
    for a, b in pairs:
        assert (parents[a] == b) != (parents[b] == a)
