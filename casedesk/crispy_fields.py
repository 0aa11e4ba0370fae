"""crispy-forms' field template for bootstrap5, written in Python for the common fields.

crispy renders each field through `bootstrap5/field.html`: some forty template nodes, two
includes for help text and errors, and a tag that edits the widget's attributes. On the
case page (seven small forms, 20 fields) that was 18 ms of each view, more than its
queries took (bench/results/template-times-case-busiest-*). CaseDesk's template loader
gives that one template as a FieldTemplate, so both of crispy's ways to it
(`render_field` for a layout, `{% include %}` for a form without one) arrive here. For a
field it knows (a visible, ordinary input, select or textarea in a vertical form, help
text below and errors inline: what CaseDesk's forms use) it builds the same markup with
plain strings and edits the widget's attributes exactly as crispy's `{% crispy_field %}`
does; anything else (hidden fields, checkboxes, radios, files, horizontal forms, inline
help) goes through crispy's own template, unchanged. tests/test_crispy_fields.py renders
every page's forms both ways.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template import Context, Template
from django.template.loaders import cached
from django.utils.safestring import SafeString, mark_safe

from .escaping import esc

FIELD = "bootstrap5/field.html"


class FieldTemplate(Template):
    """crispy's field template; ordinary fields skip its nodes."""

    def _render(self, context: Context) -> SafeString:
        field = context.get("field")
        if field is None or not _ordinary(field, context):
            return super()._render(context)  # type: ignore[misc]  # not in the stubs
        return mark_safe(_field(field, context))


class Loader(cached.Loader):
    """Django's cached loader, which keeps crispy's field template as a FieldTemplate."""

    def get_template(self, template_name: str, skip: Any = None) -> Template:
        template = super().get_template(template_name, skip)
        if template_name == FIELD and type(template) is Template:
            template = FieldTemplate(template.source, template.origin, template.name, self.engine)
            self.get_template_cache[self.cache_key(template_name, skip)] = template
        return template


def _ordinary(field: Any, context: Any) -> bool:
    widget = field.field.widget
    return not (
        field.is_hidden
        or isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.FileInput)
        or not isinstance(widget, forms.widgets.Input | forms.Select | forms.Textarea)
        or hasattr(widget, "widgets")  # a MultiWidget: crispy edits each part
        or field.use_fieldset
        or context.get("tag")
        or context.get("field_class")
        or context.get("label_class")
        or "form-horizontal" in (context.get("form_class") or "")
        or context.get("help_text_inline")
        or not context.get("error_text_inline")
    )


def _field(field: Any, context: Any) -> str:
    """What field.html writes for an ordinary field (whitespace aside)."""
    errors = field.errors if context.get("form_show_errors") else []
    required = field.field.required
    wrapper = "mb-3"
    if context.get("wrapper_class"):
        wrapper += f" {context['wrapper_class']}"
    if field.css_classes():
        wrapper += f" {field.css_classes()}"
    parts = [f'<div id="div_{esc(field.auto_id)}" class="{esc(wrapper)}">']
    if field.label and context.get("form_show_labels"):
        target = f'for="{esc(field.id_for_label)}" ' if field.id_for_label else ""
        label_class = "form-label" + (" requiredField" if required else "")
        asterisk = '<span class="asteriskField">*</span>' if required else ""
        parts.append(f'<label {target}class="{label_class}">{esc(field.label)}{asterisk}</label>')
    kind = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
    parts.append(_widget(field, kind + (" is-invalid" if field.errors else "")))
    if errors:
        parts.append(f'<div id="{esc(field.errors.field_id)}_error" class="invalid-feedback">')
        parts += [
            f'<span id="error_{n}_{esc(field.auto_id)}"><strong>{esc(error)}</strong></span>'
            for n, error in enumerate(errors, start=1)
        ]
        parts.append("</div>")
    if field.help_text:
        target = f'id="{esc(field.auto_id)}_helptext" ' if field.auto_id else ""
        parts.append(f'<div {target}class="form-text">{field.help_text}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def _widget(field: Any, classes: str) -> str:
    """As `{% crispy_field field 'class' classes %}`: the widget keeps its own class and
    its type's name (crispy's convention, e.g. "textinput"), gains `classes`, and is
    rendered with those attributes, which stay on the widget as crispy leaves them."""
    widget = field.field.widget
    widget = getattr(widget, "widget", widget)
    class_name = widget.__class__.__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    for extra in classes.split():
        if extra not in css_class.split():
            css_class += f" {extra}"
    widget.attrs["class"] = css_class
    return str(field)
