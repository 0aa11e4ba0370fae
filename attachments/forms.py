"""The file field that interaction and exception request forms share, and the removal form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.limits import ExplainedTextLimits

from .processing import AttachmentRefused, Prepared, prepare
from .services import check_batch

# What the pickers offer; the server decides by content whatever the browser sends.
ACCEPT = "image/*,application/pdf,text/plain"


class FilePickers(forms.Widget):
    """Two pickers under one name: "Take photo" opens the camera on a phone (`capture`
    makes some phones offer nothing else, so it cannot be the only picker) and "Choose
    files" offers the gallery and files, several at once. static/js/attachments.js adds
    paste and drag and drop, and checks the limits (from the data attributes) before
    anything is sent."""

    template_name = "attachments/_file_pickers.html"
    needs_multipart_form = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[Any]:
        return list(files.getlist(name)) if files is not None else []

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in files

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, None, attrs)
        context["widget"].update(
            accept=ACCEPT,
            max_file_bytes=settings.CASEDESK_ATTACHMENT_MAX_BYTES,
            max_total_bytes=settings.CASEDESK_ATTACHMENT_MAX_TOTAL_BYTES,
            max_files=settings.CASEDESK_ATTACHMENT_MAX_FILES,
        )
        return context


class AttachmentsField(forms.Field):
    """Cleans to a list of Prepared files: each checked by content and re-encoded, so a
    refusal shows next to the field with everything else the person typed still there."""

    widget = FilePickers

    def __init__(self, *, upload_problems: Iterable[str] = (), **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos and files"))
        super().__init__(**kwargs)
        self.upload_problems = list(upload_problems)

    def to_python(self, value: Any) -> list[Any]:
        return [item for item in (value or []) if item]

    def validate(self, value: list[Any]) -> None:
        if self.upload_problems:
            raise forms.ValidationError(self.upload_problems)
        super().validate(value)

    def clean(self, value: Any) -> list[Prepared]:
        uploads = super().clean(value)
        errors: list[str] = []
        try:
            check_batch(uploads)
        except AttachmentRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        prepared = []
        for upload in uploads:
            try:
                prepared.append(prepare(upload))
            except AttachmentRefused as refused:
                errors.append(str(refused))
        if errors:
            raise forms.ValidationError(errors)
        return prepared


def add_file_field(form: forms.Form, *, upload_problems: Iterable[str] = ()) -> None:
    """Give a crispy form the "Photos and files" field at the end of its layout, sent
    as multipart (htmx included)."""
    form.fields["files"] = AttachmentsField(upload_problems=upload_problems)
    helper = getattr(form, "helper", None)
    if helper is None:
        return
    if helper.layout is not None:
        helper.layout.append("files")
    attrs = dict(helper.attrs or {})
    if "hx-post" in attrs:
        attrs["hx-encoding"] = "multipart/form-data"
    helper.attrs = attrs


class RemoveAttachmentForm(ExplainedTextLimits, forms.Form):
    reason = forms.CharField(
        label=_("Why remove it?"),
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Photo of the wrong receipt")}),
    )
