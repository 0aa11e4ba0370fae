"""Starter data for the CaseDesk policy library and demeanour guidance.

Plain Python values only, with no Django imports, so that migrations, management
commands and tests can all load them. Nothing here is read at request time: the
admin-editable copies live in the database and are seeded from these values.

* ``DEMEANOUR_GUIDANCE`` - what staff see on a case for each customer demeanour.
* ``CATEGORIES`` - the complaint categories a new install starts with.
* ``POLICIES`` - a sample policy library, each policy with its allowed exceptions
  and discretion limits. Amounts are decimal strings in the business's currency;
  for every exception ``staff_limit <= manager_limit <= max_value``, and anything
  above ``manager_limit`` goes to an admin.
"""

DEMEANOUR_GUIDANCE: dict[str, dict[str, str]] = {
    "calm": {
        "headline": "Calm customer: confirm the facts, give a clear answer, agree the next step.",
        "listen": (
            "Let them explain the whole issue before you reply. "
            "Repeat the key details back so you both agree on what happened."
        ),
        "de_escalate": (
            "There is nothing to defuse, so keep it that way by being clear and quick. "
            "Say what you can do today and what happens after that. "
            "If a policy applies, read out its customer wording and explain the reason for it."
        ),
        "boundaries": (
            "A friendly mood is no reason to promise more than you can deliver. "
            "Log any promise you make, with a date."
        ),
        "escalate": (
            "Bring in a manager only if the fix is above your limit. "
            "Tell the customer who will decide and by when."
        ),
    },
    "angry": {
        "headline": "Angry customer: let them finish, keep your voice low, then move to a fix.",
        "listen": (
            "Do not interrupt while they let off steam; the first minute is about being heard. "
            "Sum up the problem and what it cost them in your own words. "
            "Say sorry for how it went without arguing about whose fault it was."
        ),
        "de_escalate": (
            "Speak more slowly and more quietly than they do. "
            "Move from feelings to facts by asking one simple question at a time. "
            "Offer a concrete next step with a time attached. "
            "Talk about what you can do, not what you cannot."
        ),
        "boundaries": (
            "No raised voice, no sarcasm, no defending yourself: the anger is about the "
            "situation, not about you. "
            "Do not give more than the policy allows just to stop the shouting."
        ),
        "escalate": (
            "Call a manager if the fix is above your limit or they get louder after two tries "
            "to calm things. Once it turns into insults or threats, switch to the abusive guidance."
        ),
    },
    "indecisive": {
        "headline": "Indecisive customer: narrow it to two clear options and give them time.",
        "listen": (
            "Ask what matters most to them: the money, the time, or keeping the item. "
            "Hesitation often means something is unclear, so check what they still need to know."
        ),
        "de_escalate": (
            "Narrow the choice to two options and say what each one means for them. "
            "Give the plain facts for each: cost, timing and what happens next. "
            "If they ask which you would pick, recommend one and say why. "
            "If they need to think, agree a call-back time and log it as a promise."
        ),
        "boundaries": (
            "Do not add more options or rush them into a choice. "
            "Note in the case exactly what was offered so the offer stays the same next time."
        ),
        "escalate": (
            "No manager is needed unless an option is an exception above your limit. "
            "If they still cannot decide, add a follow-up task instead of holding up the queue."
        ),
    },
    "unreasonable": {
        "headline": "Unreasonable demand: restate the policy plainly, then offer a fair middle.",
        "listen": (
            "Find out what they actually need; it is often less than what they first ask for. "
            "Take the request seriously even if you cannot meet it."
        ),
        "de_escalate": (
            "Restate the policy in plain words; reading its customer wording helps. "
            "Then offer a compromise you are able to give, such as store credit or a "
            "partial refund. "
            "Present it as what you can do for them today. "
            "If they turn it down, explain the next step and who makes that decision."
        ),
        "boundaries": (
            "Be polite and firm; giving the same answer twice is fine. "
            "Do not raise your offer step by step under pressure, and do not hint that a "
            "manager will say yes."
        ),
        "escalate": (
            "Raise an exception request if the fair outcome is above your limit or off-policy. "
            "If they keep pushing after a clear no, close politely and record the decision."
        ),
    },
    "passive_aggressive": {
        "headline": "Passive-aggressive: ignore the tone and answer the real complaint directly.",
        "listen": (
            "Listen for the complaint hidden behind the remarks. "
            "Bring it into the open with an open question, such as what would have made "
            "today go better for them."
        ),
        "de_escalate": (
            "Respond to the content, not the tone. "
            "State the issue plainly and check you have understood it. "
            "Offer a specific fix and ask straight out whether it works for them."
        ),
        "boundaries": (
            "Do not answer sarcasm with sarcasm or react to digs. "
            "Keep your words neutral and factual, and write their exact request in the case."
        ),
        "escalate": (
            "Involve a manager if the remarks get personal or the same issue keeps coming back. "
            "Add a follow-up check after the resolution, since they may not say they are unhappy."
        ),
    },
    "abusive": {
        "headline": "Abusive customer: give one calm warning, then disengage and record it.",
        "listen": (
            "Say once, calmly, that you want to help but cannot carry on while being insulted "
            "or threatened. If they settle down, go back to the issue."
        ),
        "de_escalate": (
            "Keep a safe distance and a clear way out. "
            "Do not argue the details while the abuse goes on. "
            "Offer another way to continue, such as by email or with a manager later. "
            "If it does not stop, end the conversation politely and step away."
        ),
        "boundaries": (
            "Insults, threats and slurs end the conversation, and no exception is given to "
            "make them stop. Do not deal with this customer alone."
        ),
        "escalate": (
            "Disengage, have two staff present for any further contact, and tell a manager now. "
            "Record what was said and done in the case and flag the customer."
        ),
    },
}

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
