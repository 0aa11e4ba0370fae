"""Downloads and removal. Files have no public URL: every byte goes through an access
check here (the case's `visible_to`); another team's file is a 404 like its case."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases.http import AuthedRequest
from cases.models import Case

from . import services
from .forms import RemoveAttachmentForm
from .models import Attachment


def get_attachment_for(user: Any, pk: int) -> Attachment:
    """The attachment if its case is visible to `user`, else 404 (one query)."""
    attachment = (
        Attachment.objects.filter(pk=pk, case__in=Case.objects.visible_to(user))
        .select_related("case")
        .first()
    )
    if attachment is None:
        raise Http404("No such file.")
    return attachment


class StreamedFile(FileResponse):
    # 256 KiB reads: a 200 MB download in 800 steps, memory bounded by one block.
    block_size = 256 * 1024


def _protect(response: HttpResponseBase) -> HttpResponseBase:
    """Headers that keep a stored file from ever acting as a page of this site."""
    response["X-Content-Type-Options"] = "nosniff"
    # A sandboxed document has no scripts, no forms and an opaque origin, even if a
    # browser were talked into rendering a file as HTML.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Counter devices are shared: a customer's receipt must not stay in a browser cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _send(attachment: Attachment, *, key: str, content_type: str, inline: bool) -> HttpResponseBase:
    disposition = content_disposition_header(as_attachment=not inline, filename=attachment.name)
    prefix = settings.CASEDESK_ATTACHMENTS_ACCEL_PREFIX
    if prefix:
        # nginx sends the bytes (an `internal` location over the same folder) once the
        # access check above has passed; the key is random, so the path reveals nothing.
        response: HttpResponseBase = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(key)
    else:
        try:
            handle = services.storage().open(key, "rb")
        except FileNotFoundError:
            raise Http404("The file is missing from storage.") from None
        response = StreamedFile(handle, content_type=content_type)
    response["Content-Disposition"] = disposition or "inline"
    return _protect(response)


@login_required
@require_safe
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file itself: images shown in the browser, everything else downloaded."""
    attachment = get_attachment_for(request.user, pk)
    if not attachment.storage_key:
        raise Http404("This file was removed.")
    return _send(
        attachment,
        key=attachment.storage_key,
        content_type=attachment.content_type,
        inline=attachment.is_image,
    )


@login_required
@require_safe
def thumbnail(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = get_attachment_for(request.user, pk)
    if not attachment.thumbnail_key:
        raise Http404("No thumbnail.")
    return _send(attachment, key=attachment.thumbnail_key, content_type="image/jpeg", inline=True)


@login_required
@require_POST
def remove(request: AuthedRequest, pk: int) -> HttpResponse:
    attachment = get_attachment_for(request.user, pk)
    form = RemoveAttachmentForm(request.POST, prefix=f"a{pk}")
    if not form.is_valid():
        # The file may sit on an older page of the timeline, so the reason is asked for
        # again on a page of its own: the message beside the field, what was typed kept.
        context = {"attachment": attachment, "form": form}
        return render(request, "attachments/remove.html", context, status=400)
    try:
        services.delete_attachment(attachment, by=request.user, reason=form.cleaned_data["reason"])
    except services.AttachmentError as error:
        # Removed meanwhile, or not theirs to remove: the form no longer applies.
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” removed.") % {"name": attachment.name})
    return redirect(f"{attachment.case.get_absolute_url()}#timeline")
