"""How a stored file leaves the server: streamed, never rendered by the browser unless an image."""

from __future__ import annotations

from django.http import FileResponse, Http404

from .models import Attachment

# Whatever the browser makes of the bytes, it runs nothing and loads nothing for them.
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def file_response(attachment: Attachment, *, thumbnail: bool = False) -> FileResponse:
    """The file (or its thumbnail) as a download.

    Only an image is shown inline, and only as the image type its content was detected as; every
    other type (PDF, documents, text, recordings) is `Content-Disposition: attachment`. The type
    the uploader's browser claimed was never stored, so an HTML page renamed .jpg cannot come back
    as HTML; `nosniff` stops the browser guessing.
    """
    field = attachment.thumbnail if thumbnail else attachment.file
    if not field:
        raise Http404
    try:
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = thumbnail or attachment.is_image
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.original_name if not thumbnail else f"thumbnail-{attachment.pk}.jpg",
        content_type="image/jpeg" if thumbnail else attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    # Private: another user of the same proxy must not be served someone's file from its cache.
    response["Cache-Control"] = "private, max-age=3600" if thumbnail else "private, no-store"
    return response
