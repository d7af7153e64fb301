"""典型案例: supervisors mark; everyone reads; filters by topic and unit."""

import pytest

from analysis.cases import MSG_UNKNOWN_ORDER, case_mark, case_unmark, cases_list, find_order
from analysis.models import CaseKind, TypicalCase
from tests.factories import TopicFactory, WorkOrderFactory
from tickets.exceptions import InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(station_a, station_b):
    noise = TopicFactory()
    theft = TopicFactory(code="theft", name="盗窃")
    return {
        "a_noise": WorkOrderFactory(topic=noise, unit=station_a, status="dispatched"),
        "b_theft": WorkOrderFactory(topic=theft, unit=station_b, status="dispatched"),
    }


def mark(user, order, kind=CaseKind.GOOD, **kwargs):
    data = {"title": "一小时内上门调解", "commentary": "响应快，沟通耐心，群众满意。"}
    data.update(kwargs)
    return case_mark(order=order, kind=kind, acting_user=user, **data)


def test_supervisor_marks_an_order_as_a_good_example(orders, manager):
    case = mark(manager, orders["a_noise"])
    assert (case.kind, case.marked_by) == (CaseKind.GOOD, manager)


def test_marking_the_same_order_again_updates_its_case(orders, manager):
    mark(manager, orders["a_noise"])
    mark(manager, orders["a_noise"], kind=CaseKind.BAD, commentary="未按时联系群众。")
    case = TypicalCase.objects.get()
    assert (case.kind, case.commentary) == (CaseKind.BAD, "未按时联系群众。")


def test_officers_cannot_mark(orders, officer_a):
    with pytest.raises(NotPermitted):
        mark(officer_a, orders["a_noise"])


def test_commentary_and_a_valid_kind_are_required(orders, manager):
    with pytest.raises(InvalidInput) as exc:
        mark(manager, orders["a_noise"], kind="great", commentary=" ")
    assert set(exc.value.field_errors) == {"kind", "commentary"}


def test_unknown_order_number(manager):
    with pytest.raises(InvalidInput) as exc:
        find_order("GD19990101")
    assert exc.value.field_errors == {"order": MSG_UNKNOWN_ORDER}


def test_list_filters_by_topic_unit_and_kind(orders, manager, station_b):
    good = mark(manager, orders["a_noise"])
    bad = mark(manager, orders["b_theft"], kind=CaseKind.BAD)
    assert list(cases_list(topic_id=orders["b_theft"].topic_id)) == [bad]
    assert list(cases_list(unit_id=station_b.pk)) == [bad]
    assert list(cases_list(kind=CaseKind.GOOD)) == [good]
    assert set(cases_list()) == {good, bad}


def test_unmark(orders, manager):
    case_unmark(case=mark(manager, orders["a_noise"]), acting_user=manager)
    assert not TypicalCase.objects.exists()
