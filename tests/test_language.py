"""Chinese by default in the browser; English by the header's switch; Accept-Language on the API."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_are_chinese_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"


def test_the_language_switch_turns_pages_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("login"))
    assert response.headers["Content-Language"] == "en"


def test_the_api_answers_in_the_requested_language(client):
    response = client.get("/api/v1/orders/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.headers["Content-Language"] == "en"


def test_no_catalogue_holds_obsolete_translations():
    """An entry `makemessages` marks obsolete (#~) is no longer translated: a run over one app's
    files marks another app's strings so, and their pages turn Chinese in English. Keep every
    catalogue free of them (`msgattrib --no-obsolete` after a run)."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    catalogues = subprocess.run(
        ["git", "ls-files", "*.po"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    assert catalogues
    stale = [path for path in catalogues if "\n#~ msgid" in (root / path).read_text(encoding="utf-8")]
    assert stale == []
