"""The live dispatcher board: the strip polls, answers 204 while nothing changed, the queues when they did."""

import datetime as dt
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets.models import Urgency

pytestmark = pytest.mark.django_db


def _stamp(html: str) -> str:
    return unquote(re.search(r'pulse/\?since=([^"]+)"', html).group(1))


def test_board_strip_polls_the_pulse_and_carries_the_count(client, dispatcher, received):
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:dispatch_board")).content.decode()
    assert 'id="desk-strip"' in html
    assert 'hx-trigger="every 5s"' in html
    assert 'data-title-count="1"' in html


def test_pulse_answers_no_content_while_nothing_changed(client, dispatcher, received):
    client.force_login(dispatcher)
    stamp = _stamp(client.get(reverse("tickets:dispatch_board")).content.decode())
    assert client.get(reverse("tickets:desk_pulse"), {"since": stamp}).status_code == 204


def test_pulse_sends_the_queues_and_bell_when_an_order_arrived(client, dispatcher, received, make_order):
    client.force_login(dispatcher)
    stamp = _stamp(client.get(reverse("tickets:dispatch_board")).content.decode())
    new = make_order(content="新来的工单。")
    response = client.get(reverse("tickets:desk_pulse"), {"since": stamp})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-order="{new.number}"' in html
    assert 'id="desk-queues" hx-swap-oob="true"' in html
    assert 'id="bell"' in html and 'hx-swap-oob="true"' in html
    assert 'data-title-count="2"' in html


def test_pulse_is_for_the_dispatch_desk_only(client, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("tickets:desk_pulse")).status_code == 403


def test_pulse_with_any_since_answers_without_error(client, dispatcher):
    client.force_login(dispatcher)
    assert client.get(reverse("tickets:desk_pulse"), {"since": "\x00<script>"}).status_code == 200


def test_waiting_row_shows_received_time_and_waiting_age(client, dispatcher, make_order):
    order = make_order(received_at=timezone.now() - dt.timedelta(hours=2, minutes=5))
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:dispatch_board")).content.decode()
    row = html[html.index(f'data-order="{order.number}"') :]
    assert "已等待 <span class=\"age\"" in row[:3000]
    assert "2小时5分" in row[:3000]


def test_board_lists_critical_before_urgent_before_older_normal(client, dispatcher, make_order):
    normal = make_order(received_at=timezone.now() - dt.timedelta(hours=3))
    urgent = make_order(urgency=Urgency.URGENT, received_at=timezone.now() - dt.timedelta(minutes=20))
    critical = make_order(urgency=Urgency.CRITICAL, received_at=timezone.now() - dt.timedelta(minutes=10))
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:dispatch_board")).content.decode()
    positions = [html.index(f'data-order="{o.number}"') for o in (critical, urgent, normal)]
    assert positions == sorted(positions)
