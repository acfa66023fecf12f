"""The checkout's event consumers (`kernel.consumers`): a cancelled order's voucher use comes
back.

An order checked out with a voucher has a `VoucherUse`; when the order is cancelled, by its
customer, by staff or because it expired unpaid (`order.cancelled` in every case), the use is
deleted and the voucher's `used_count` goes down by one, in one transaction. The use row is
what makes it once: a second delivery of the event finds none and changes nothing.
"""

from django.db import transaction
from django.db.models import F

from checkout.models import Voucher, VoucherUse
from kernel.consumers import Event, consumer


@consumer(name="checkout.voucher_uses", event_types=["order.cancelled"])
@transaction.atomic
def give_the_voucher_use_back(event: Event) -> None:
    """Give back the use of the voucher the cancelled order was checked out with, if any."""
    use = VoucherUse.objects.select_for_update().filter(order_id=event.data["id"]).first()
    if use is None:
        return
    use.delete()
    Voucher.objects.filter(pk=use.voucher_id, used_count__gt=0).update(
        used_count=F("used_count") - 1
    )
