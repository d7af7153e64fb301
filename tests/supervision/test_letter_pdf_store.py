"""A letter's PDF is rendered once per content and served from storage; a long one by a worker."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from supervision import services
from supervision.letters import letter_pdf_name, letter_pdf_stored
from supervision.tasks import render_letter
from tests.supervision.conftest import SUPERVISION

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    return tmp_path


@pytest.fixture
def notice(clock, make_dispatched, supervisor):
    order = make_dispatched()
    return services.notice_issue_by_hand(acting_user=supervisor, order=order, kind=SUPERVISION, reason="超期未办结")


def _pdf(client, notice):
    return client.get(reverse("supervision:notice_pdf", args=[notice.pk]))


def test_second_download_is_served_from_storage_without_rendering(client, officer_a, notice):
    client.force_login(officer_a)
    with mock.patch("supervision.letters.render_letter_pdf", return_value=b"%PDF-1.7 stub") as render:
        first, second = _pdf(client, notice), _pdf(client, notice)
    assert render.call_count == 1
    assert first.content == second.content == b"%PDF-1.7 stub"
    assert letter_pdf_stored(notice, user=officer_a) == letter_pdf_name(notice, user=officer_a)


def test_a_change_to_the_letter_renders_it_again(client, officer_a, notice):
    client.force_login(officer_a)
    before = letter_pdf_name(notice)
    notice.reason = "超期未办结，请说明原因"
    notice.save(update_fields=["reason"])
    assert letter_pdf_name(notice) != before


def test_a_long_letter_is_rendered_by_a_worker(client, officer_a, notice, settings):
    settings.SUPERVISION_LETTER_INLINE_ORDERS = 0
    client.force_login(officer_a)
    with (
        mock.patch("supervision.letters.enqueue") as enqueue,
        mock.patch("supervision.letters.render_letter_pdf", return_value=b"%PDF-1.7 stub") as render,
    ):
        pending = _pdf(client, notice)
        again = _pdf(client, notice)
        assert pending.status_code == again.status_code == 202
        assert render.call_count == 0
        assert enqueue.call_args_list == [mock.call("supervision.render_letter", notice.pk, officer_a.pk)]
        render_letter(notice.pk, officer_a.pk)
        assert render.call_count == 1
        assert _pdf(client, notice).content == b"%PDF-1.7 stub"
