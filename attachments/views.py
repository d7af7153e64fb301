"""The order page's attachments: upload, download, thumbnail. Visibility is the order's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tickets.exceptions import WorkflowError
from tickets.selectors import order_for_user

from . import selectors, services
from .forms import AttachmentForm
from .responses import file_response


@require_POST
@login_required
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_for_user(request.user, pk)
    if order is None:
        raise Http404
    back = reverse("tickets:order_detail", args=[order.pk]) + "#attachments"
    form = AttachmentForm(request.POST, request.FILES, order=order, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    kind, target_id = form.kind_and_target()
    try:
        attachment = services.attachment_upload(
            order=order, file=form.cleaned_data["file"], acting_user=request.user, kind=kind, target_id=target_id
        )
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已上传附件「%(name)s」。") % {"name": attachment.original_name})
    return redirect(back)


@require_GET
@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    attachment = selectors.attachment_for_user(request.user, pk, attachment_id)
    if attachment is None:
        raise Http404
    return file_response(attachment)


@require_GET
@login_required
def attachment_thumbnail(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    attachment = selectors.attachment_for_user(request.user, pk, attachment_id)
    if attachment is None:
        raise Http404
    return file_response(attachment, thumbnail=True)
