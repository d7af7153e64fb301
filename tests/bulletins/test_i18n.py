"""Chinese first, English through the supervision app's catalogue."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from supervision.bulletins import bulletin_title
from tests.bulletins.conftest import WEEK_END, WEEK_START

CATALOGUE = Path(__file__).resolve().parents[2] / "supervision" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_of_the_catalogue_is_translated():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', text, re.M)
    assert entries
    assert [msgid for msgid, msgstr in entries if not msgstr] == []
    assert CATALOGUE.with_suffix(".mo").exists()


def test_bulletin_title_in_english():
    with translation.override("en"):
        assert bulletin_title(WEEK_START, WEEK_END) == "Weekly bulletin (2026-11-16 – 2026-11-22)"


@pytest.mark.django_db
def test_dashboard_in_english(client, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("analysis:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Bureau dashboard" in page and "Trend over 12 weeks" in page and "Closure rate" in page
    page = client.get(reverse("analysis:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "全局统计看板" in page
