"""Ids: every table's primary key is a positive 64-bit integer (`BigAutoField`).

`MAX_ID` bounds every id the shop accepts (in a body, a query string, a URL or a webhook), so
that an id beyond the column's range is "no such object", never a database overflow.
"""

MAX_ID = 2**63 - 1


def is_id(value: object) -> bool:
    """Whether `value` is an int (not a bool) that could be a primary key."""
    return type(value) is int and 1 <= value <= MAX_ID
