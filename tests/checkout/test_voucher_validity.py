"""`checkout.pricing.voucher_problem`: whether a voucher may be used, and why not (each
answer is the contract's `voucher_invalid`). A pure function: no database, no clock."""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from checkout.dtos import PERCENTAGE, VoucherSnapshot
from checkout.pricing import VoucherProblem, voucher_problem

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)
VALID = VoucherSnapshot(
    code="SUMMER10",
    kind=PERCENTAGE,
    value=Decimal("10"),
    min_subtotal=Decimal("50.00"),
    starts_at=NOW - datetime.timedelta(days=1),
    ends_at=NOW + datetime.timedelta(days=1),
    max_uses=5,
    max_uses_per_email=1,
    used_count=4,
    is_active=True,
)


def problem(subtotal: str = "50.00", uses_by_email: int = 0, **changes):
    voucher = dataclasses.replace(VALID, **changes)
    return voucher_problem(
        voucher, subtotal=Decimal(subtotal), now=NOW, uses_by_email=uses_by_email
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({}, None),
        ({"is_active": False}, VoucherProblem.INACTIVE),
        ({"starts_at": NOW + SECOND}, VoucherProblem.NOT_YET_VALID),
        ({"starts_at": NOW}, None),
        ({"starts_at": None}, None),
        ({"ends_at": NOW}, VoucherProblem.EXPIRED),
        ({"ends_at": NOW - SECOND}, VoucherProblem.EXPIRED),
        ({"ends_at": NOW + SECOND}, None),
        ({"ends_at": None}, None),
        ({"used_count": 5}, VoucherProblem.USED_UP),
        ({"used_count": 6}, VoucherProblem.USED_UP),
        ({"max_uses": None, "used_count": 10_000}, None),
        ({"uses_by_email": 1}, VoucherProblem.USED_UP_BY_EMAIL),
        ({"max_uses_per_email": 2, "uses_by_email": 1}, None),
        ({"max_uses_per_email": None, "uses_by_email": 100}, None),
        ({"subtotal": "49.99"}, VoucherProblem.BELOW_MINIMUM),
        ({"subtotal": "50.01"}, None),
        ({"min_subtotal": Decimal("0.00"), "subtotal": "0.00"}, None),
        # The first reason is given: an inactive voucher is inactive, whatever else.
        ({"is_active": False, "ends_at": NOW - SECOND, "used_count": 5}, VoucherProblem.INACTIVE),
        ({"ends_at": NOW - SECOND, "subtotal": "1.00"}, VoucherProblem.EXPIRED),
    ],
    ids=repr,
)
def test_voucher_problem(case, expected):
    assert problem(**case) == expected


def test_an_unknown_code_is_a_problem_too():
    assert voucher_problem(None, subtotal=Decimal("100.00"), now=NOW) == VoucherProblem.UNKNOWN


def test_every_problem_says_what_is_wrong_in_words():
    assert VoucherProblem.EXPIRED == "This voucher is no longer valid."
    assert len({str(problem) for problem in VoucherProblem}) == len(VoucherProblem)
