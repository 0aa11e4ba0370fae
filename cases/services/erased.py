"""An erased customer is final: the check every service that writes for a customer makes.

Below every service and importing none: `cases.py` (opening a case) and `customers.py`
(changing the details) both use it.
"""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext

from ..models import Customer
from .errors import CustomerErased


def lock_live_customer(customer: Customer) -> Customer:
    """The customer's row as it is now, locked until the transaction ends; refused when
    their personal data has been erased.

    FOR NO KEY UPDATE: an erasure (FOR UPDATE on the same row) waits for this transaction
    or this one for the erasure, so a case cannot be opened, or a detail written back,
    while an erasure commits; rows that merely point at the customer (a case, the access
    log) take only a key-share lock and are not held up.
    """
    current = Customer.objects.select_for_update(no_key=True).get(pk=customer.pk)
    if current.erased_at is not None:
        when = formats.date_format(timezone.localtime(current.erased_at), "DATE_FORMAT")
        raise CustomerErased(
            gettext(
                "This customer's personal data was erased on %(date)s: their record cannot "
                "be changed and no new case can be opened for them."
            )
            % {"date": when}
        )
    return current
