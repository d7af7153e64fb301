"""Chinese first, English through the supervision app's catalogue."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from analysis.bulletins import bulletin_title
from tests.analysis.conftest import WEEK_END, WEEK_START

CATALOGUE = Path(__file__).resolve().parents[2] / "supervision" / "locale" / "en" / "LC_MESSAGES" / "django.po"
# The modules and templates of bulletins, dashboards and analysis (the notices have their own); the
# references name the files where the messages were extracted (under supervision/ before analysis/).
OURS = re.compile(
    r"analysis/|(analysis_permissions|bulletin\w*|campaigns|cases|charts|dashboards|exports|hotspots|periods|stats)\.py"
    r"|api/\w+\.py|models/bulletins\.py|templatetags/analysis_tags\.py|templates/supervision/analysis/"
)


def our_messages() -> list[str]:
    text = CATALOGUE.read_text(encoding="utf-8")
    messages = []
    for block in text.split("\n\n"):
        references = " ".join(line for line in block.splitlines() if line.startswith("#:"))
        match = re.search(r'^msgid "(.+)"$', block, re.M)
        if match and OURS.search(references):
            messages.append(match.group(1).replace('\\"', '"'))
    return messages


def test_every_message_of_the_analysis_pages_has_an_english_translation():
    messages = our_messages()
    assert len(messages) > 150
    with translation.override("en"):
        untranslated = [m for m in messages if translation.gettext(m) == m]
    assert untranslated == []


def test_bulletin_title_in_english():
    with translation.override("en"):
        assert bulletin_title(WEEK_START, WEEK_END) == "Weekly bulletin (2026-11-16 – 2026-11-22)"


@pytest.mark.django_db
def test_dashboard_in_english(client, supervisor):
    client.force_login(supervisor)
    client.cookies["django_language"] = "en"  # the header's language switch
    page = client.get(reverse("analysis:dashboard")).content.decode()
    assert "Bureau dashboard" in page and "Trend over 12 weeks" in page and "Closure rate" in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("analysis:dashboard")).content.decode()
    assert "全局统计看板" in page
