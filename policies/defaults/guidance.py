"""Starter demeanour guidance: what staff see on a case for each customer demeanour.

Plain Python values only (see the package docstring)."""

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
