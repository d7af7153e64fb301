"""Authentication (tokens an administrator creates, sessions for the browser) and the schema."""

import re

import pytest
from rest_framework.test import APIClient

from stations.tokens import token_issue

pytestmark = pytest.mark.django_db


def test_a_token_acts_as_its_user(dispatcher, officer_a, order_in):
    own = order_in("dispatched")
    _token, key = token_issue(user=officer_a, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/orders/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [own.pk]


def test_a_revoked_token_is_refused(officer_a):
    token, key = token_issue(user=officer_a, name="test")
    token.delete()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/orders/").status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(officer_a):
    _token, key = token_issue(user=officer_a, name="test")
    officer_a.is_active = False
    officer_a.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/orders/").status_code == 401


def test_without_credentials_the_answer_is_401_asking_for_a_token():
    response = APIClient().get("/api/v1/orders/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_browser_session_works_and_writes_need_the_csrf_token(officer_a, order_in):
    order = order_in("dispatched")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(officer_a)
    assert client.get(f"/api/v1/orders/{order.pk}/").status_code == 200
    response = client.post(f"/api/v1/orders/{order.pk}/contact/", {"method": "phone", "note": "x"}, format="json")
    assert response.status_code == 403


def test_administrators_manage_tokens_in_the_admin(client, db):
    from stations.models import User

    admin = User.objects.create_superuser("root", "root@example.com", "pw-12345", role="administrator")
    client.force_login(admin)
    assert client.get("/admin/stations/apitoken/").status_code == 200


@pytest.fixture
def client(client, officer_a):
    """The schema and its viewers are for signed-in users (tests/security covers the refusal)."""
    client.force_login(officer_a)
    return client


def test_schema_is_served_as_openapi_3(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/orders/{id}/contact/" in schema["paths"]


def test_every_operation_documents_its_errors(client):
    schema = client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "401" in codes, (method, path)
            if "{id}" in path:
                assert "404" in codes, (method, path)
            # Actions on an order or a notice take If-Match and Idempotency-Key; confirming an
            # import job takes neither (its state makes a second confirmation a 409).
            if method == "post" and "{id}" in path and not path.startswith("/api/v1/imports/"):
                assert {"400", "403", "409", "412", "422"} <= codes, (method, path)


def test_schema_speaks_english_on_request(client):
    schema = client.get("/api/schema/?format=json&lang=en").json()
    assert schema["paths"]["/api/v1/orders/"]["get"]["summary"] == "List orders"


@pytest.mark.parametrize("page", ["/api/schema/swagger-ui/", "/api/schema/redoc/"])
def test_docs_pages_load_only_local_assets(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    external = [url for url in re.findall(r'(?:src|href)="([^"]+)"', html) if url.startswith(("http:", "https:", "//"))]
    assert external == []
    assert "drf_spectacular_sidecar" in html
