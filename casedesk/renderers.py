"""A form renderer that writes the common widgets in Python.

Django renders every widget through the template engine: an include per <option>, another
for each element's attributes, a template per input inside a date range. On the case
list that was half of the page's time (a few hundred people in the assignee filter, two
date ranges). This renderer produces byte-for-byte the HTML of Django's own widget
templates (tests/test_renderers.py compares them) with plain string building, and hands
any other widget template to the usual template-based renderer.
"""

from __future__ import annotations

import re
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
SELECT = WIDGETS + "select.html"
OPTION = WIDGETS + "select_option.html"
TEXTAREA = WIDGETS + "textarea.html"
MULTI = WIDGETS + "multiwidget.html"
# Each of these templates is `{% include "django/forms/widgets/input.html" %}`.
INPUTS = {
    WIDGETS + name + ".html"
    for name in [
        "text",
        "checkbox",
        "date",
        "datetime",
        "email",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "time",
        "url",
        "color",
    ]
}
_BETWEEN_TAGS = re.compile(r">\s+<")  # what {% spaceless %} removes


def _attrs(attrs: dict[str, Any]) -> str:
    # As attrs.html: False drops the attribute, True writes it bare, values are escaped.
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{escape(str(value))}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
    name = conditional_escape(widget["name"])
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{name}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _option(option: dict[str, Any]) -> str:
    return (
        f'<option value="{escape(str(option["value"]))}"'
        f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
    )  # the trailing newline is the one at the end of Django's option template file


def _select(widget: dict[str, Any]) -> str:
    html = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            html.append("\n  " + _option(option))
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)


def _textarea(widget: dict[str, Any]) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    name = conditional_escape(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _widget(template_name: str, widget: dict[str, Any]) -> str | None:
    """The widget's HTML, or None for a template this module does not write."""
    if template_name in INPUTS:
        return _input(widget)
    if template_name == SELECT:
        if any(o["template_name"] != OPTION for _, group, _ in widget["optgroups"] for o in group):
            return None
        return _select(widget)
    if template_name == TEXTAREA:
        return _textarea(widget)
    if template_name == MULTI:
        parts = [_widget(sub["template_name"], sub) for sub in widget["subwidgets"]]
        texts = [part for part in parts if part is not None]
        if len(texts) < len(parts):
            return None
        # Each subwidget's template ends in a newline, which {% spaceless %} then removes.
        return _BETWEEN_TAGS.sub("><", "\n".join(texts))
    return None


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        html = _widget(template_name, widget) if isinstance(widget, dict) else None
        if html is None:
            return super().render(template_name, context, request)
        # Django strips what its templates render too. Every value above is escaped.
        return mark_safe(html.strip())
