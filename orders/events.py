"""Signals the orders app sends, for the apps above it to receive.

`order_cancelled(sender, order_id: int)` is sent inside the transaction that cancels the order,
after the stock has been released, so a receiver's failure rolls the cancellation back.
"""

from django.dispatch import Signal

order_cancelled = Signal()
