"""The instruction form on the order page, beside the supervisor's other actions."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_supervisor_sees_the_instruction_form_beside_the_supervision_links(client, supervisor, dispatched):
    client.force_login(supervisor)
    page = client.get(reverse("tickets:order_detail", args=[dispatched.pk])).content.decode()
    assert reverse("tickets:order_action", args=[dispatched.pk, "instruct"]) in page
    assert "下发督办单" in page


def test_officer_is_not_offered_the_instruction_form(client, officer_a, dispatched):
    client.force_login(officer_a)
    page = client.get(reverse("tickets:order_detail", args=[dispatched.pk])).content.decode()
    assert reverse("tickets:order_action", args=[dispatched.pk, "instruct"]) not in page


def test_supervisor_records_an_instruction_from_the_order_page(client, supervisor, dispatched):
    client.force_login(supervisor)
    response = client.post(
        reverse("tickets:order_action", args=[dispatched.pk, "instruct"]),
        {"version": dispatched.version, "instructor": "局长 张某", "text": "请务必当日解决", "instructed_at": ""},
    )
    assert response.status_code == 302
    page = client.get(reverse("tickets:order_detail", args=[dispatched.pk])).content.decode()
    assert "记录领导批示" in page and "请务必当日解决" in page and "局长 张某" in page


def test_instruction_without_words_shows_the_error_and_records_nothing(client, supervisor, dispatched):
    client.force_login(supervisor)
    response = client.post(
        reverse("tickets:order_action", args=[dispatched.pk, "instruct"]),
        {"version": dispatched.version, "instructor": "局长 张某", "text": ""},
    )
    assert response.status_code == 200
    failed = next(f for f in response.context["action_forms"] if f.action == "instruct")
    assert "text" in failed.errors
    assert not dispatched.events.filter(action="instruct").exists()
