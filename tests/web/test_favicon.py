from django.contrib.staticfiles import finders
from django.test import Client


def test_favicon_ico_leads_to_the_icon_file(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("hotline/favicon.ico")
    assert finders.find("hotline/favicon.ico")
