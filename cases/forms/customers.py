"""Customer details, with the duplicate check on email and phone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from casedesk.languages import customer_default

from ..limits import ExplainedTextLimits
from ..models import (
    FLAG_REASON_NEEDED,
    Customer,
    CustomerFlag,
    User,
    normalise_email,
)
from ..phones import normalise_phone
from .common import (
    TeamChoiceMixin,
    fit_input_modes,
    form_helper,
    phone_input,
    valid_phone,
)


def find_duplicates(
    user: User, *, email: str, phone: str, exclude: int | None = None
) -> list[Customer]:
    """Visible customers with the same normalised email or phone (a likely duplicate):
    the phone as E.164, so "07700 900105" and "+44 7700 900105" are one number."""
    query = Q()
    if email.strip():
        query |= Q(email_normalised=normalise_email(email))
    if phone.strip() and normalise_phone(phone):
        query |= Q(phone_normalised=normalise_phone(phone))
    if not query:
        return []
    qs = Customer.objects.visible_to(user).filter(query)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("name")[:5])


class CustomerForm(ExplainedTextLimits, TeamChoiceMixin, forms.ModelForm):
    flags = forms.MultipleChoiceField(
        choices=CustomerFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Flags"),
    )
    flags_reason = forms.CharField(
        label=gettext_lazy("Why are the flags changing?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Needed when you set a flag: staff see who set it, when, and this reason."
        ),
    )
    create_anyway = forms.BooleanField(
        required=False,
        label=gettext_lazy("This is a different person: create a new customer anyway"),
    )

    class Meta:
        model = Customer
        fields = [
            "name",
            "email",
            "phone",
            "preferred_channel",
            "preferred_language",
            "team",
            "preferences",
            "flags",
        ]
        widgets = {"preferences": forms.Textarea(attrs={"rows": 3})}
        # The model's fields have no verbose names of their own (adding them would be a
        # migration): the labels people read are given here, translated.
        labels = {
            "name": gettext_lazy("Name"),
            "email": gettext_lazy("Email"),
            "phone": gettext_lazy("Phone"),
            "preferred_channel": gettext_lazy("Preferred channel"),
            "team": gettext_lazy("Team"),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fit_input_modes(self)
        self.user = user
        self.duplicates: list[Customer] = []
        self._setup_team(user)
        self.fields["phone"].widget = phone_input()
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["preferred_language"].required = False
        if self.instance.pk:
            del self.fields["team"]
        if self.instance.pk or not self.data.get("_duplicate_seen"):
            # The "create anyway" box appears only once a duplicate has been shown.
            self.fields["create_anyway"].widget = forms.HiddenInput()
        self.helper = form_helper(gettext("Save customer"), form_tag=False)

    def clean_phone(self) -> str:
        return valid_phone(self.cleaned_data.get("phone", ""))

    def clean_preferred_language(self) -> str:
        """Left out (a form or script from before there was a choice): kept as it was,
        or the default for a new customer."""
        chosen = self.cleaned_data.get("preferred_language") or ""
        if chosen:
            return chosen
        return self.instance.preferred_language if self.instance.pk else customer_default()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        added = set(data.get("flags") or ()) - set(self.instance.flags or ())
        if added and not (data.get("flags_reason") or "").strip():
            self.add_error("flags_reason", FLAG_REASON_NEEDED)
        email, phone = data.get("email", ""), data.get("phone", "")
        if not self.errors and not (email or phone):
            raise forms.ValidationError(
                gettext("Give an email or a phone number so we can reach them.")
            )
        self.duplicates = find_duplicates(
            self.user, email=email or "", phone=phone or "", exclude=self.instance.pk
        )
        if self.duplicates and not self.instance.pk and not data.get("create_anyway"):
            self.fields["create_anyway"].widget = forms.CheckboxInput()
            raise forms.ValidationError(
                gettext(
                    "A customer with this email or phone already exists. Use them, or tick the "
                    "box to create a new customer anyway."
                ),
                code="duplicate",
            )
        return data
