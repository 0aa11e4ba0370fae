"""Opening a case and the actions on its page: reassign, triage, resolve, reopen, and
attaching a policy."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.utils.translation import gettext, gettext_lazy, pgettext

from casedesk import languages
from policies.models import Category, Demeanour, Policy

from ..limits import ExplainedTextLimits
from ..models import (
    Channel,
    Customer,
    Outcome,
    Priority,
    Team,
    User,
)
from .common import (
    DEFAULT_CHANNEL,
    DEFAULT_MINUTES,
    ObjectChoiceField,
    TeamChoiceMixin,
    auto_id,
    fit_input_modes,
    form_helper,
    object_field,
    phone_input,
    policies_in_force,
    team_members,
    valid_phone,
)
from .customers import find_duplicates

# The new customer's fields: typed with an existing customer picked, they are neither
# used nor silently dropped (the form asks which was meant).
NEW_CUSTOMER_FIELDS = ("customer_name", "customer_email", "customer_phone")
ERASED_CUSTOMER = gettext_lazy(
    "That customer's personal data was erased: no new case can be opened for them. "
    "Find another customer, or enter a new one."
)


def default_category() -> Category | None:
    """What a new case starts as: "Other" where the library has it, else the first."""
    active = Category.objects.filter(active=True)
    return active.filter(slug="other").first() or active.order_by("name").first()


class CaseForm(ExplainedTextLimits, TeamChoiceMixin, forms.Form):
    """Open a case for an existing customer, or for a new one in the same step.

    The customer section (search as you type, the picked customer with "change", the new
    customer's fields) is laid out by the template; the helper lays out the rest.
    """

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, widget=forms.HiddenInput
    )
    customer_name = forms.CharField(
        label=gettext_lazy("Customer name"), max_length=200, required=False
    )
    customer_email = forms.EmailField(label=gettext_lazy("Customer email"), required=False)
    customer_phone = forms.CharField(
        label=gettext_lazy("Customer phone"), max_length=40, required=False
    )
    customer_language = forms.ChoiceField(
        label=gettext_lazy("Customer's language"),
        choices=languages.choices,
        initial=languages.customer_default,
        required=False,  # not asked when an existing customer is picked
        help_text=gettext_lazy("Their emails and feedback page are in this language."),
    )
    create_anyway = forms.BooleanField(
        required=False,
        label=gettext_lazy("This is a different person: create a new customer anyway"),
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=gettext_lazy("Team"))
    subject = forms.CharField(max_length=200, label=gettext_lazy("Subject"))
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(active=True), label=gettext_lazy("Category")
    )
    channel = forms.ChoiceField(
        choices=Channel.choices, label=gettext_lazy("First contact by"), initial=DEFAULT_CHANNEL
    )
    priority = forms.ChoiceField(
        choices=Priority.choices, initial=Priority.NORMAL, label=gettext_lazy("Priority")
    )
    demeanour = forms.ChoiceField(
        choices=Demeanour.choices, initial=Demeanour.CALM, label=gettext_lazy("Demeanour")
    )
    first_summary = forms.CharField(
        label=gettext_lazy("What happened (logged as the first interaction)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10000,
    )
    first_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes spent"),
        min_value=0,
        max_value=1440,
        initial=DEFAULT_MINUTES,
        required=False,
    )
    assign_to_me = forms.BooleanField(
        label=gettext_lazy("Assign to me"), initial=True, required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fit_input_modes(self)
        self.user = user
        self.duplicates: list[Customer] = []
        cast(
            forms.ModelChoiceField, self.fields["customer"]
        ).queryset = Customer.objects.visible_to(user)
        self.fields["category"].initial = default_category()
        self.fields["customer_phone"].widget = phone_input()
        self.fields["customer_email"].widget.attrs["autocomplete"] = "email"
        self._setup_team(user)
        if not self.data.get("_duplicate_seen"):
            self.fields["create_anyway"].widget = forms.HiddenInput()
        self.helper = form_helper(pgettext("action", "Open case"), form_tag=False)
        self.helper.layout = Layout(
            "team",
            Field("subject"),
            Row(
                Column("category", css_class="col-sm-6 col-lg-3"),
                Column("channel", css_class="col-sm-6 col-lg-3"),
                Column("priority", css_class="col-sm-6 col-lg-3"),
                Column("demeanour", css_class="col-sm-6 col-lg-3"),
            ),
            "first_summary",
            Row(Column("first_minutes", css_class="col-6 col-md-3"), Column("assign_to_me")),
        )

    def clean_customer(self) -> Customer | None:
        customer: Customer | None = self.cleaned_data.get("customer")
        if customer is not None and customer.is_erased:
            # The form comes back without them, so that picking or entering another
            # customer is not refused again for the id still in the hidden field.
            self.data = {**self.data, "customer": ""}
            raise forms.ValidationError(ERASED_CUSTOMER, code="erased")
        return customer

    def new_customer_typed(self) -> bool:
        """Whether anything was typed into the new customer's fields."""
        return any((self.data.get(name) or "").strip() for name in NEW_CUSTOMER_FIELDS)

    def clean_customer_phone(self) -> str:
        return valid_phone(self.cleaned_data.get("customer_phone", ""))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        team = data.get("team")
        if data.get("assign_to_me") and team and not team.members.filter(pk=self.user.pk).exists():
            self.add_error(
                "assign_to_me",
                gettext("You are not a member of %(team)s; untick to leave it unassigned.")
                % {"team": team},
            )
        if data.get("customer"):
            if self.new_customer_typed():
                self.add_error(
                    "customer_name",
                    gettext(
                        "You picked %(customer)s and also typed a new customer's details. "
                        "Clear these fields to open the case for them, or press “change” to "
                        "create the new customer."
                    )
                    % {"customer": data["customer"]},
                )
            return data
        if self.data.get("customer"):
            # A customer id was sent but is not one this user may use: refuse, don't guess.
            return data
        self._clean_new_customer(data)
        return data

    def _clean_new_customer(self, data: dict[str, Any]) -> None:
        name = (data.get("customer_name") or "").strip()
        email = data.get("customer_email") or ""
        phone = data.get("customer_phone") or ""
        if not name:
            self.add_error(
                "customer_name", gettext("Give the customer's name, or pick an existing customer.")
            )
        if not (email or phone) and "customer_email" not in self.errors:
            self.add_error("customer_email", gettext("Give an email or a phone number."))
        if name and (email or phone):
            self.duplicates = find_duplicates(self.user, email=email, phone=phone)
            if self.duplicates and not data.get("create_anyway"):
                self.fields["create_anyway"].widget = forms.CheckboxInput()
                raise forms.ValidationError(
                    gettext(
                        "A customer with this email or phone already exists. Open the case for "
                        "them, or tick the box to create a new customer anyway."
                    ),
                    code="duplicate",
                )


class ReassignForm(forms.Form):
    assignee = ObjectChoiceField(
        required=False, label=gettext_lazy("Assignee"), empty_label=gettext_lazy("— Unassigned —")
    )

    def __init__(
        self,
        *args: Any,
        team: Team,
        members: list[User] | None = None,
        action: str = "",
        **kwargs: Any,
    ) -> None:
        auto_id(kwargs, "reassign")
        super().__init__(*args, **kwargs)
        object_field(self, "assignee").set_objects(
            members if members is not None else team_members(team)
        )
        self.helper = form_helper(gettext("Reassign"), action=action, name="reassign")


class TriageForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices, label=gettext_lazy("Priority"))
    demeanour = forms.ChoiceField(choices=Demeanour.choices, label=gettext_lazy("Demeanour"))

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        auto_id(kwargs, "triage")
        super().__init__(*args, **kwargs)
        self.helper = form_helper(pgettext("action", "Update"), action=action, name="triage")


class ResolveForm(ExplainedTextLimits, forms.Form):
    outcome = forms.ChoiceField(
        choices=[("", gettext_lazy("— Choose an outcome —")), *Outcome.choices],
        label=gettext_lazy("Outcome"),
    )
    summary = forms.CharField(
        label=gettext_lazy("Resolution summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )
    email_customer = forms.BooleanField(
        label=gettext_lazy("Email the customer what was agreed and what happens next"),
        required=False,
    )
    reflection = forms.CharField(
        label=gettext_lazy("What would you do differently? (optional, for coaching)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_step = forms.CharField(
        label=gettext_lazy("What happens next (for the customer)"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("e.g. We will call you on Friday morning")}
        ),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("email_customer") and not (data.get("next_step") or "").strip():
            self.add_error("next_step", gettext("Tell the customer what happens next."))
        return data

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        auto_id(kwargs, "resolve")
        super().__init__(*args, **kwargs)
        self.helper = form_helper(gettext("Resolve case"), action=action, name="resolve")


class ReopenForm(ExplainedTextLimits, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why reopen?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        auto_id(kwargs, "reopen")
        super().__init__(*args, **kwargs)
        self.helper = form_helper(gettext("Reopen case"), action=action, name="reopen")


class AttachPolicyForm(forms.Form):
    policy = ObjectChoiceField(
        label=gettext_lazy("Policy involved"), empty_label=gettext_lazy("— Choose a policy —")
    )

    def __init__(
        self, *args: Any, policies: list[Policy] | None = None, action: str = "", **kwargs: Any
    ) -> None:
        auto_id(kwargs, "attach")
        super().__init__(*args, **kwargs)
        object_field(self, "policy").set_objects(
            policies if policies is not None else policies_in_force()
        )
        self.helper = form_helper(gettext("Attach policy"), action=action, name="attach")
