"""Starter complaint categories and a sample policy library.

Each policy comes with its allowed exceptions and discretion limits. Amounts are decimal
strings in the business's currency; for every exception
``staff_limit <= manager_limit <= max_value``, and anything above ``manager_limit`` goes
to an admin. Plain Python values only (see the package docstring).
"""

CATEGORIES: list[tuple[str, str]] = [
    ("refund-dispute", "Refund dispute"),
    ("return-outside-policy", "Return outside policy"),
    ("fee-dispute", "Fee dispute"),
    ("product-defect", "Product defect"),
    ("delivery-problem", "Delivery or installation problem"),
    ("service-quality", "Service quality"),
    ("billing-error", "Billing error"),
    ("other", "Other"),
]

POLICIES: list[dict] = [
    {
        "code": "SALES-FINAL",
        "title": "All sales final",
        "category": "returns",
        "customer_wording": (
            "Clearance items, special orders and display models are sold as final sale, "
            "so we cannot take them back or refund them. "
            "This is marked on the price tag and your receipt. "
            "If the item turns out to be faulty, it is still covered by its warranty."
        ),
        "internal_notes": (
            "Check that the receipt carries the final-sale mark before relying on this policy. "
            "A faulty item is a warranty matter, not a return."
        ),
        "exceptions": [
            {
                "name": "Store credit for an unused final-sale item",
                "kind": "store_credit",
                "max_value": "200.00",
                "staff_limit": "25.00",
                "manager_limit": "100.00",
                "guidance": (
                    "Use when the item is unopened and the customer says the final-sale "
                    "terms were not made clear at the till."
                ),
            },
            {
                "name": "Exchange for another size or colour of the same item",
                "kind": "replacement",
                "max_value": "150.00",
                "staff_limit": "50.00",
                "manager_limit": "150.00",
                "guidance": (
                    "Use when the item is unused and the same product is in stock in "
                    "the size or colour they need."
                ),
            },
        ],
    },
    {
        "code": "DIAG-FEE",
        "title": "Diagnostic fee is non-refundable",
        "category": "fees",
        "customer_wording": (
            "The diagnostic fee pays for the technician's time spent finding the fault, "
            "so it is due whether or not you go ahead with the repair. "
            "If you do go ahead, we take the fee off the repair price."
        ),
        "internal_notes": (
            "The fee and the credit-against-repair rule must be stated before the "
            "diagnosis starts. Note on the case whether that was done."
        ),
        "exceptions": [
            {
                "name": "Refund the diagnostic fee as store credit",
                "kind": "store_credit",
                "max_value": "89.00",
                "staff_limit": "30.00",
                "manager_limit": "89.00",
                "guidance": (
                    "Use when the customer declines the repair and is unhappy about the fee, "
                    "as a middle ground that keeps them coming back."
                ),
            },
            {
                "name": "Waive the fee on a repeat visit for the same fault",
                "kind": "fee_waiver",
                "max_value": "89.00",
                "staff_limit": "0.00",
                "manager_limit": "89.00",
                "guidance": (
                    "Use when the fault comes back within 90 days of a repair we did, "
                    "so the customer is not charged twice."
                ),
            },
        ],
    },
    {
        "code": "RET-30",
        "title": "30-day returns with receipt",
        "category": "returns",
        "customer_wording": (
            "You can return most items within 30 days of purchase, with the receipt, for a "
            "refund to the card or method you paid with. "
            "Please bring the item back complete and in a condition we can sell again."
        ),
        "internal_notes": (
            "Count the 30 days from the delivery date for delivered items. "
            "Look the purchase up by card or phone number before refusing for a missing receipt."
        ),
        "exceptions": [
            {
                "name": "Accept return past 30 days, store credit instead of refund",
                "kind": "store_credit",
                "max_value": "500.00",
                "staff_limit": "50.00",
                "manager_limit": "250.00",
                "guidance": (
                    "Use when the item is in resaleable condition and the customer is only "
                    "a little past the 30 days."
                ),
            },
            {
                "name": "Refund without a receipt when the purchase is on record",
                "kind": "refund",
                "max_value": "300.00",
                "staff_limit": "40.00",
                "manager_limit": "150.00",
                "guidance": (
                    "Use when the sale can be found in our system by card, phone number "
                    "or order number."
                ),
            },
        ],
    },
    {
        "code": "RESTOCK-FEE",
        "title": "Restocking fee on opened items",
        "category": "fees",
        "customer_wording": (
            "Opened items that are not faulty can be returned within the return period, "
            "less a 15% restocking fee that covers checking and repacking them. "
            "There is no restocking fee on faulty items."
        ),
        "internal_notes": (
            "Test the item before charging the fee: a fault means no fee. "
            "The fee is capped at 150.00 per item."
        ),
        "exceptions": [
            {
                "name": "Waive restocking fee",
                "kind": "fee_waiver",
                "max_value": "150.00",
                "staff_limit": "30.00",
                "manager_limit": "150.00",
                "guidance": (
                    "Use when the item was opened only to check it and is complete and "
                    "unused, or when our staff advised the wrong product."
                ),
            },
            {
                "name": "Halve the restocking fee",
                "kind": "discount",
                "max_value": "75.00",
                "staff_limit": "20.00",
                "manager_limit": "75.00",
                "guidance": (
                    "Use as a compromise when a full waiver is not justified but the "
                    "customer has a fair point."
                ),
            },
        ],
    },
    {
        "code": "PRICE-MATCH",
        "title": "Price match within 14 days",
        "category": "refunds",
        "customer_wording": (
            "If you find the same item for less at a local store or a major online retailer "
            "within 14 days of buying it, we will refund the difference. "
            "Just show us the current advertised price. "
            "Clearance, auction and members-only prices are not included."
        ),
        "internal_notes": (
            "Check the model number matches exactly and the competitor has it in stock. "
            "Refund the difference to the original payment method."
        ),
        "exceptions": [
            {
                "name": "Match a price found after the 14-day window",
                "kind": "refund",
                "max_value": "100.00",
                "staff_limit": "20.00",
                "manager_limit": "100.00",
                "guidance": (
                    "Use when the customer is just past 14 days and the lower price was "
                    "already on offer inside the window."
                ),
            },
            {
                "name": "Discount to meet a marketplace seller's price",
                "kind": "discount",
                "max_value": "75.00",
                "staff_limit": "0.00",
                "manager_limit": "50.00",
                "guidance": (
                    "Use only for an established seller with a good rating, when losing the "
                    "sale would cost more than the discount."
                ),
            },
        ],
    },
    {
        "code": "DELIVERY-INSTALL",
        "title": "Delivery and installation",
        "category": "service",
        "customer_wording": (
            "We deliver in a two-hour window and call you when the driver is on the way. "
            "Standard installation connects the item to existing fittings; new plumbing, "
            "wiring or building work is not included. "
            "If we miss your window, we will rebook at a time that suits you."
        ),
        "internal_notes": (
            "Check the driver's log for the actual arrival time before agreeing the window "
            "was missed. Damage found at delivery goes on the case with photos."
        ),
        "exceptions": [
            {
                "name": "Refund the delivery charge for a missed window",
                "kind": "refund",
                "max_value": "60.00",
                "staff_limit": "60.00",
                "manager_limit": "60.00",
                "guidance": (
                    "Use when the driver's log shows we arrived late or not at all "
                    "without calling ahead."
                ),
            },
            {
                "name": "Discount on the order after a late or damaged delivery",
                "kind": "discount",
                "max_value": "150.00",
                "staff_limit": "25.00",
                "manager_limit": "100.00",
                "guidance": (
                    "Use when the customer lost time or had to chase us, on top of "
                    "fixing the delivery itself."
                ),
            },
            {
                "name": "Replace an item damaged during delivery or installation",
                "kind": "replacement",
                "max_value": "2000.00",
                "staff_limit": "0.00",
                "manager_limit": "1000.00",
                "guidance": (
                    "Use when the damage is recorded at delivery or reported within 48 hours "
                    "with photos."
                ),
            },
        ],
    },
]
