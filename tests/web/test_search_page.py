"""The order search page: content and address columns, sortable heads, saved searches, Excel export."""

import importlib
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tickets import exports
from tickets.models import SavedSearch

pytestmark = pytest.mark.django_db


def test_search_shows_content_and_address_columns(client, dispatcher, make_order):
    make_order(content="小区门口烧烤摊油烟扰民。", address="卧龙山街道青山路1号")
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:search")).content.decode()
    assert "小区门口烧烤摊油烟扰民。" in html
    assert "卧龙山街道青山路1号" in html


def test_overdue_filter_defaults_to_any(client, dispatcher):
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:search")).content.decode()
    select = html[html.index('name="overdue"') :]
    select = select[: select.index("</select>")]
    assert '<option value="unknown" selected>全部</option>' in select
    assert "未知" not in select


def test_received_time_head_sorts_oldest_first_when_newest_first(client, dispatcher, make_order):
    make_order()
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:search")).content.decode()
    assert 'href="?ordering=received_at" data-testid="sort-received"' in html


def test_sorting_by_received_time_ascending_lists_the_oldest_first(client, dispatcher, make_order):
    first, second = make_order(), make_order()
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:search"), {"ordering": "received_at"}).content.decode()
    assert html.index(f'data-order="{first.number}"') < html.index(f'data-order="{second.number}"')
    assert 'aria-sort="ascending"' in html


def test_saved_search_is_kept_without_its_page_position(client, dispatcher):
    client.force_login(dispatcher)
    client.post(reverse("tickets:saved_search_save"), {"name": "超期的", "query": "overdue=true&cursor=abc&q="})
    saved = SavedSearch.objects.get(user=dispatcher)
    assert (saved.name, saved.query) == ("超期的", "overdue=true")
    html = client.get(reverse("tickets:search")).content.decode()
    assert 'href="/orders/?overdue=true">超期的</a>' in html


def test_saved_searches_are_per_user(client, dispatcher, officer_a):
    SavedSearch.objects.create(user=dispatcher, name="我的", query="overdue=true")
    client.force_login(officer_a)
    assert "我的" not in client.get(reverse("tickets:search")).content.decode()


def test_a_user_cannot_delete_another_users_saved_search(client, dispatcher, officer_a):
    saved = SavedSearch.objects.create(user=dispatcher, name="我的", query="")
    client.force_login(officer_a)
    client.post(reverse("tickets:saved_search_delete", args=[saved.pk]))
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


def test_saved_search_without_a_name_is_refused(client, dispatcher):
    client.force_login(dispatcher)
    response = client.post(reverse("tickets:saved_search_save"), {"name": "  ", "query": "q=1"}, follow=True)
    assert not SavedSearch.objects.exists()
    assert "请为常用查询起一个不超过 40 字的名称。" in response.content.decode()


def test_export_writes_the_result_as_the_user_sees_it(client, officer_b, make_order, dispatcher, station_b):
    from tickets import services

    order = services.order_dispatch(order=make_order(confidential=True), unit=station_b, acting_user=dispatcher)
    client.force_login(dispatcher)
    response = client.get(reverse("tickets:search_export"), {"q": order.number})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "工单编号"
    assert [r[0] for r in rows[1:]] == [order.number]
    assert rows[1][9] == "13812345678"


def test_export_of_a_large_result_is_refused_with_advice(client, dispatcher, make_order, monkeypatch):
    monkeypatch.setattr(importlib.import_module("tickets.views.search"), "EXPORT_MAX_ROWS", 1)
    make_order(), make_order()
    client.force_login(dispatcher)
    response = client.get(reverse("tickets:search_export"), follow=True)
    assert "请缩小查询条件" in response.content.decode()


def test_export_with_a_bad_filter_answers_without_error(client, dispatcher):
    client.force_login(dispatcher)
    response = client.get(reverse("tickets:search_export"), {"overdue": "maybe", "received_after": "x"})
    assert response.status_code in (200, 302)


def test_export_cap_is_the_documented_size():
    assert exports.EXPORT_MAX_ROWS == 5000
