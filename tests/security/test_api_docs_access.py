"""The OpenAPI schema, Swagger UI and ReDoc are for signed-in users unless configured public."""

import pytest
from rest_framework.test import APIClient

from stations.tokens import token_issue

pytestmark = pytest.mark.django_db


def test_the_schema_refuses_a_stranger_with_401():
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_schema_answers_a_token(officer_a):
    _token, key = token_issue(user=officer_a, name="test")
    response = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/schema/?format=json")
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["/api/schema/swagger-ui/", "/api/schema/redoc/"])
def test_the_docs_send_a_stranger_to_sign_in(client, page):
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={page}"


@pytest.mark.parametrize("page", ["/api/schema/?format=json", "/api/schema/swagger-ui/", "/api/schema/redoc/"])
def test_the_docs_can_be_made_public(client, settings, page):
    settings.HOTLINE_API_DOCS_PUBLIC = True
    assert client.get(page).status_code == 200
