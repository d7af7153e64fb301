"""The notice as an official letter: HTML with print CSS, and the same HTML as PDF (WeasyPrint).

The stylesheet is inlined so the browser's print view and the PDF are one document, and the PDF
renderer never fetches anything: only `data:` URLs are allowed (the letter's text comes from
users; Django escapes it, and this keeps a stray URL from being fetched on the server).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from .broker import enqueue
from .models import Notice, NoticeKind, SupervisionPolicy
from .selectors import notice_orders_for
from .services import escalation_unit

LETTER_CSS = "supervision/letter.css"


@lru_cache(maxsize=1)
def _letter_css() -> str:
    path = finders.find(LETTER_CSS)
    return Path(path).read_text(encoding="utf-8") if path else ""


def chinese_date(value: dt.datetime) -> str:
    """2026年11月23日, as an official letter is dated."""
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日"


def letter_context(notice: Notice, *, user=None, for_pdf: bool = False) -> dict:
    """What the letter shows. The letter is the document sent to the unit: it describes only the
    orders the unit may see (and, printed by someone else, only those that reader may see too);
    the others are counted."""
    policy = SupervisionPolicy.load()
    orders = notice_orders_for(user, notice, as_addressed=True)
    return {
        "notice": notice,
        "orders": orders.shown,
        "notice_orders": orders,
        "issuer_name": policy.issuer_name,
        "is_supervision": notice.kind == NoticeKind.SUPERVISION,
        "issued_date": chinese_date(notice.issued_at),
        "escalation_unit": notice.escalated_to or escalation_unit(notice),
        "letter_css": _letter_css(),
        "for_pdf": for_pdf,
    }


def render_letter_html(notice: Notice, *, user=None, for_pdf: bool = False, request=None) -> str:
    """The letter is a document sent to a unit: always in the bureau's language (the toolbar too),
    whatever language the reader's pages are in. `user` is the reader (None: the unit itself)."""
    context = letter_context(notice, user=user, for_pdf=for_pdf)
    with override(settings.LANGUAGE_CODE):
        return render_to_string("supervision/letter.html", context, request=request)


def render_letter_pdf(notice: Notice, *, user=None) -> bytes:
    """The PDF is rendered from the same HTML as the letter, for the same reader."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_letter_html(notice, user=user, for_pdf=True)
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def pdf_filename(notice: Notice) -> str:
    return f"{notice.get_kind_display()}-{notice.number}.pdf"


# --- the rendered PDF, kept ----------------------------------------------------------------------
#
# WeasyPrint takes seconds and a lot of memory for one letter: the PDF is stored (Django's default
# storage, var/media) under a name made from the letter's HTML, so it is rendered once per content
# and served from the file afterwards; any change to what the letter shows is a new name. A letter
# with many orders is not rendered in the web request at all: a worker renders it.


def letter_pdf_name(notice: Notice, *, user=None) -> str:
    """Named after the letter as `user` reads it (None: the unit), so a reader whose view of the
    orders differs never gets another reader's file, and readers who see the same share one."""
    digest = hashlib.sha256(render_letter_html(notice, user=user, for_pdf=True).encode()).hexdigest()[:24]
    return f"letters/{notice.pk}/{digest}.pdf"


def letter_pdf_stored(notice: Notice, *, user=None) -> str | None:
    """The stored PDF's name if this letter, as it reads now for `user`, was rendered already."""
    name = letter_pdf_name(notice, user=user)
    return name if default_storage.exists(name) else None


def letter_pdf_store(notice: Notice, *, user=None) -> str:
    """Render the letter's PDF as `user` reads it unless it is stored already; the stored name."""
    name = letter_pdf_name(notice, user=user)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(render_letter_pdf(notice, user=user)))
    return name


def letter_renders_inline(notice: Notice) -> bool:
    """A letter of a few orders renders in a second or two; a longer one goes to a worker."""
    return notice.orders.count() <= settings.SUPERVISION_LETTER_INLINE_ORDERS


# How long one reader's long letter is considered queued: the page (or the API) may ask again and
# again meanwhile, and one render is sent.
RENDER_QUEUED_SECONDS = 300


def letter_pdf_ready(notice: Notice, *, user) -> str | None:
    """The stored PDF of the letter as `user` reads it, rendering a short one now.

    None while a worker renders a long one: the render is queued once per letter content for a
    while, however often the reader asks. The browser's letter.pdf and the API's share this.
    """
    name = letter_pdf_stored(notice, user=user)
    if name is not None:
        return name
    if not letter_renders_inline(notice):
        queued = f"supervision:letter-render:{letter_pdf_name(notice, user=user)}"
        if cache.add(queued, 1, timeout=RENDER_QUEUED_SECONDS):
            enqueue("supervision.render_letter", notice.pk, user.pk if user is not None else None)
        return None
    return letter_pdf_store(notice, user=user)
