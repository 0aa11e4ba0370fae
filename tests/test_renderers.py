"""The Python-built widgets must be byte-for-byte what Django's templates make."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django_filters.widgets import DateRangeWidget

from casedesk.renderers import FastWidgetRenderer
from cases.models import Team


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Any"), ("a", "Apples & <pears>"), ("b", "B")])
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("f1", "Fig"), ("f2", 'Date "Medjool"')]), ("x", "Other")]
    )
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two")])
    flagged = forms.ChoiceField(
        choices=[("y", "Yes"), ("n", "No")],
        widget=forms.Select(attrs={"class": "form-select", "required": True, "disabled": False}),
    )
    number = forms.TypedChoiceField(choices=[(1, "1"), (2, "2")], coerce=int)
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": 'a "b"'}))
    email = forms.EmailField(required=False)
    amount = forms.DecimalField(max_digits=8, decimal_places=2, required=False)
    when = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    agree = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    between = forms.CharField(
        required=False, widget=DateRangeWidget(attrs={"type": "date", "class": "form-control"})
    )
    radio = forms.ChoiceField(choices=[("r", "R")], widget=forms.RadioSelect, required=False)


BOUND = {
    "plain": "a",
    "grouped": "f2",
    "many": ["1", "2"],
    "flagged": "n",
    "number": "2",
    "text": "<script>alert(1)</script>",
    "email": "a&b@example.com",
    "amount": "12.50",
    "when": "2026-11-22T10:30",
    "day": "2026-11-22",
    "secret": "hunter2",
    "hidden": 'x"y',
    "agree": "on",
    "note": "Line one\n<b>two</b> & three",
    "between_after": "2026-01-01",
    "between_before": "2026-02-01",
    "radio": "r",
}


def render_both(form_class, data=None, **kwargs):
    slow = form_class(data, renderer=DjangoTemplates(), **kwargs)
    fast = form_class(data, renderer=FastWidgetRenderer(), **kwargs)
    return [(name, str(slow[name]), str(fast[name])) for name in slow.fields]


@pytest.mark.parametrize("data", [None, BOUND], ids=["empty", "bound"])
def test_widgets_render_exactly_as_djangos_templates(data):
    for name, slow, fast in render_both(Everything, data):
        assert fast == slow, name


def test_initial_values_render_the_same():
    initial = {"day": datetime.date(2026, 3, 4), "note": "Hello", "agree": True, "amount": "5"}
    for name, slow, fast in render_both(Everything, initial=initial):
        assert fast == slow, name


def test_what_the_user_typed_is_escaped():
    html = str(Everything(BOUND, renderer=FastWidgetRenderer()))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;two&lt;/b&gt; &amp; three" in html
    assert "Apples &amp; &lt;pears&gt;" in html


@pytest.mark.django_db
def test_model_choice_selects_match_too():
    Team.objects.create(name="Returns <desk>")
    Team.objects.create(name="Billing")

    class Pick(forms.Form):
        team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"))

    for _, slow, fast in render_both(Pick, {"team": str(Team.objects.get(name="Billing").pk)}):
        assert fast == slow
        assert "selected" in fast and "Returns &lt;desk&gt;" in fast


def test_the_project_uses_it():
    from django.conf import settings

    assert settings.FORM_RENDERER == "casedesk.renderers.FastWidgetRenderer"
