"""Uploading a file to an order: who may, what is accepted, where it goes, and the timeline entry."""

from __future__ import annotations

import hashlib
import io
import logging
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from stations.models import Role
from supervision.selectors import notices_visible_to
from tickets.exceptions import InvalidInput, InvalidTransition, NotPermitted, WorkflowError
from tickets.models import UNIT_WORK_STATUSES, Callback, Report, WorkOrder
from tickets.services.common import lock_order, record_event

from .detection import detect
from .models import AttachedTo, Attachment

logger = logging.getLogger(__name__)

MSG_NO_FILE = _("请选择要上传的文件。")
MSG_EMPTY = _("文件是空的。")
MSG_TOO_LARGE = _("文件过大：每个文件不超过 %(limit)s MB。")
MSG_TYPE_REFUSED = _(
    "不支持该文件类型（按文件内容识别，与扩展名无关）。可上传：图片（PNG、JPEG、GIF、WebP）、PDF、"
    "Word/Excel 文档（docx、xlsx）、录音（MP3、WAV、AMR、M4A）和纯文本。"
)
MSG_ORDER_READ_ONLY = _("工单已办结或已并单，附件只能查看，不能再上传。")
MSG_CANNOT_UPLOAD = _("您当前不能为该工单上传附件：指挥中心在工单办结前可上传，承办单位在工单由本单位办理期间可上传。")
MSG_TARGET_NOT_FOUND = _("所选的上报、回访或督办函件不属于该工单。")
MSG_NAME_TOO_LONG = _("文件名过长（最多 200 个字符）。")

THUMBNAIL_SIZE = (320, 320)
CHUNK = 64 * 1024


def max_bytes() -> int:
    return settings.HOTLINE_ATTACHMENT_MAX_MB * 1024 * 1024


def upload_refusal(user, order: WorkOrder) -> WorkflowError | None:
    """Why `user` may not upload to `order` now, or None when they may.

    The one rule for attachments: nobody adds to a closed or merged order (its file is the record);
    the dispatch desk may while the order is open; the responsible unit's officers and head while
    the order is with the unit (dispatched, contacted, returned for rework). Reviewers and
    supervisors read, they do not add.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NotPermitted(MSG_CANNOT_UPLOAD)
    if not order.is_open:
        return InvalidTransition(MSG_ORDER_READ_ONLY)
    if user.is_superuser or user.role == Role.DISPATCHER:
        return None
    own_unit = user.works_in_unit and user.unit_id is not None and user.unit_id == order.unit_id
    if own_unit and order.status in UNIT_WORK_STATUSES:
        return None
    return NotPermitted(MSG_CANNOT_UPLOAD)


def may_upload(user, order: WorkOrder) -> bool:
    return upload_refusal(user, order) is None


def _digest_and_size(file: IO[bytes], limit: int) -> tuple[str, int]:
    """SHA-256 and size of what was received, stopping as soon as it is over `limit`."""
    digest, size = hashlib.sha256(), 0
    file.seek(0)
    while chunk := file.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise _refuse(MSG_TOO_LARGE % {"limit": settings.HOTLINE_ATTACHMENT_MAX_MB})
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def _refuse(message) -> InvalidInput:
    return InvalidInput(message, field_errors={"file": message})


def _target(order: WorkOrder, kind: str, target_id, user) -> dict:
    """The record inside `order` the file belongs to, as the Attachment's fields."""
    if kind == AttachedTo.ORDER:
        return {}
    models = {AttachedTo.REPORT: Report, AttachedTo.CALLBACK: Callback}
    try:
        pk = int(target_id)
    except (TypeError, ValueError):
        raise InvalidInput(MSG_TARGET_NOT_FOUND, field_errors={"target": MSG_TARGET_NOT_FOUND}) from None
    if kind == AttachedTo.NOTICE_RESPONSE:
        # A letter the uploader may open (a unit never sees letters to the unit before it).
        record = notices_visible_to(user).filter(pk=pk, orders=order).first()
        field = "notice"
    elif kind in models:
        record = models[kind].objects.filter(pk=pk, order=order).first()
        field = kind
    else:
        message = _("「%(value)s」不是有效的选项。") % {"value": kind}
        raise InvalidInput(message, field_errors={"kind": message})
    if record is None:
        raise InvalidInput(MSG_TARGET_NOT_FOUND, field_errors={"target": MSG_TARGET_NOT_FOUND})
    return {field: record}


def _thumbnail(file: IO[bytes]) -> ContentFile | None:
    """A JPEG of at most 320×320 of an image already verified by detection; None if it cannot be drawn."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            # JPEG decodes at a reduced scale straight away: a 12 MP photo never sits in memory whole.
            image.draft("RGB", THUMBNAIL_SIZE)
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80)
    except Exception:  # noqa: BLE001 - the original is kept; the page shows an icon instead
        logger.warning("thumbnail failed", exc_info=True)
        return None
    finally:
        file.seek(0)
    return ContentFile(out.getvalue())


def attachment_upload(
    *,
    order: WorkOrder,
    file: File | None,
    acting_user,
    kind: str = AttachedTo.ORDER,
    target_id: int | str | None = None,
    expected_version: int | None = None,
) -> Attachment:
    """Store `file` with `order` (and the report, callback or notice it belongs to).

    `expected_version` (the API's If-Match) refuses the upload when the order changed meanwhile.
    Everything the client says about the file (its name's extension, its Content-Type) is ignored
    but the name, kept for the download; the type comes from the content. Refused input stores
    nothing. The order's timeline records the upload, and the order's version moves on.
    """
    refusal = upload_refusal(acting_user, order)
    if refusal is not None:
        raise refusal
    if file is None:
        raise _refuse(MSG_NO_FILE)
    name = (getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "附件"
    if len(name) > 200:
        raise _refuse(MSG_NAME_TOO_LONG)
    sha256, size = _digest_and_size(file, max_bytes())
    if size == 0:
        raise _refuse(MSG_EMPTY)
    detected = detect(file)
    if detected is None or detected.content_type not in settings.HOTLINE_ATTACHMENT_TYPES:
        raise _refuse(MSG_TYPE_REFUSED)
    target = _target(order, kind, target_id, acting_user)
    thumbnail = _thumbnail(file) if detected.is_image else None

    stored: list = []
    try:
        with transaction.atomic():
            locked = lock_order(order, expected_version)
            refusal = upload_refusal(acting_user, locked)  # the order may have moved meanwhile
            if refusal is not None:
                raise refusal
            attachment = Attachment(
                order=locked,
                kind=kind,
                original_name=name,
                content_type=detected.content_type,
                extension=detected.extension,
                size=size,
                sha256=sha256,
                uploaded_by=acting_user,
                **target,
            )
            # Stored through the default storage under a random name (models.stored_name).
            attachment.file.save("upload", File(file), save=False)
            stored.append(attachment.file)
            if thumbnail is not None:
                attachment.thumbnail.save("thumb", thumbnail, save=False)
                stored.append(attachment.thumbnail)
            attachment.save()
            record_event(
                locked,
                action="attachment_upload",
                actor=acting_user,
                from_status=locked.status,
                note=name,
                payload={
                    "attachment": attachment.pk,
                    "name": name,
                    "kind": kind,
                    "content_type": detected.content_type,
                    "size": size,
                    "sha256": sha256,
                },
            )
    except BaseException:
        # The row was not written: neither may its files stay behind.
        for field in stored:
            field.storage.delete(field.name)
        raise
    order.version = locked.version
    return attachment
