"""Date and date-time inputs in the business's locale, whatever the browser's language.

`<input type=date>` and `datetime-local` show the browser's own format (`mm/dd/yyyy` in a
Chromium set to US English, measured), not the page's: a London counter would read 01/12
as the 12th of January. These are text inputs instead: the value is written in the active
locale's first `*_INPUT_FORMATS` entry (casedesk/formats/), a hint under the field says
that format ("dd/mm/yyyy hh:mm"), and the fields parse the locale's formats and ISO.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import get_format, localize_input
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import pgettext
from django_filters.widgets import DateRangeWidget, RangeWidget

# What a person reads for each strftime directive in the hint. Minutes and months are both
# "mm" in English but not in every language, hence a context each.
_HINT_PARTS = {
    # Translators: the day in a date-format hint such as "dd/mm/yyyy".
    "%d": lambda: pgettext("date format hint: day", "dd"),
    # Translators: the month in a date-format hint such as "dd/mm/yyyy".
    "%m": lambda: pgettext("date format hint: month", "mm"),
    # Translators: the four-digit year in a date-format hint such as "dd/mm/yyyy".
    "%Y": lambda: pgettext("date format hint: year", "yyyy"),
    # Translators: the two-digit year in a date-format hint such as "dd/mm/yy".
    "%y": lambda: pgettext("date format hint: two-digit year", "yy"),
    # Translators: the hour (24-hour clock) in a time-format hint such as "hh:mm".
    "%H": lambda: pgettext("date format hint: hour", "hh"),
    # Translators: the minutes in a time-format hint such as "hh:mm".
    "%M": lambda: pgettext("date format hint: minutes", "mm"),
    # Translators: the seconds in a time-format hint such as "hh:mm:ss".
    "%S": lambda: pgettext("date format hint: seconds", "ss"),
}


def input_format(format_key: str) -> str:
    """The format inputs are written in: the active locale's first `format_key` entry."""
    return str(get_format(format_key)[0])


def format_hint(format_key: str) -> str:
    """The active locale's input format as a person reads it, e.g. "dd/mm/yyyy hh:mm"."""
    fmt, hint, index = input_format(format_key), [], 0
    while index < len(fmt):
        part = fmt[index : index + 2]
        if part in _HINT_PARTS:
            hint.append(_HINT_PARTS[part]())
            index += 2
        else:
            hint.append(fmt[index])
            index += 1
    return "".join(hint)


def input_value(value: Any, format_key: str) -> str:
    """A date or (local) date-time as the inputs write it, for hand-written templates."""
    return "" if value is None else str(localize_input(value, input_format(format_key)))


def _hint_id(attrs: dict[str, Any]) -> str:
    return f"{attrs['id']}_format" if attrs.get("id") else ""


def _describe(attrs: dict[str, Any], hint_id: str) -> None:
    """Adds the hint to what a screen reader says about the input, after Django's help
    text and error (their order stays as the form set it)."""
    if hint_id:
        attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), hint_id]))


def _hint_html(hint_id: str, format_key: str) -> SafeString:
    if not hint_id:
        return format_html('<div class="form-text">{}</div>', format_hint(format_key))
    return format_html('<div id="{}" class="form-text">{}</div>', hint_id, format_hint(format_key))


class _LocaleInput:
    """Shared by both inputs: a text box for digits, no autofill, the format beneath."""

    input_type = "text"
    format_key: str

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        attrs = {"inputmode": "numeric", "autocomplete": "off", **(attrs or {})}
        # No fixed format: `format_value` takes the locale's at render time.
        super().__init__(attrs)  # type: ignore[call-arg]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)  # type: ignore[misc]
        widget_attrs = context["widget"]["attrs"]
        _describe(widget_attrs, _hint_id(widget_attrs))
        return context

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        html = super().render(name, value, attrs, renderer)  # type: ignore[misc]
        hint_id = _hint_id(self.build_attrs(self.attrs, attrs))  # type: ignore[attr-defined]
        return SafeString(html + _hint_html(hint_id, self.format_key))


class LocaleDateInput(_LocaleInput, forms.DateInput):
    format_key = "DATE_INPUT_FORMATS"


class LocaleDateTimeInput(_LocaleInput, forms.DateTimeInput):
    format_key = "DATETIME_INPUT_FORMATS"


class LocaleDateRangeWidget(DateRangeWidget):
    """The case list's from–to days: two locale date boxes sharing one hint."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # RangeWidget's own __init__ would make plain text boxes: skip to its parent.
        super(RangeWidget, self).__init__((LocaleDateInput, LocaleDateInput), attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)
        hint_id = _hint_id(context["widget"]["attrs"])
        for subwidget in context["widget"]["subwidgets"]:
            subwidget["attrs"]["aria-describedby"] = hint_id
        return context

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        # Each box alone (LocaleDateInput.render) would bring its own hint: the range
        # renders the pair through its template and adds one hint for both.
        html = super().render(name, value, attrs, renderer)
        hint_id = _hint_id(self.build_attrs(self.attrs, attrs))
        return SafeString(html + _hint_html(hint_id, "DATE_INPUT_FORMATS"))
