import pytest

from suggest import selectors, services
from suggest.models import SuggestionFeedback
from tests.factories import WorkOrderFactory
from tickets.models import HandlingType, OrderEvent

pytestmark = pytest.mark.django_db

FRAUD_TEXT = "有人打电话冒充客服让我转账，被骗了两万元"


@pytest.fixture
def trained(finished_orders, settings, topics, units):
    settings.HOTLINE_SUGGEST_MIN_ORDERS = 200
    finished_orders(220)
    return services.model_train()


def test_intake_and_dispatch_record_whether_the_guess_was_taken(trained, topics, units, dispatcher):
    order = WorkOrderFactory(content=FRAUD_TEXT, topic=topics["fraud"], handling_type=HandlingType.SERVICE)
    intake = OrderEvent.objects.create(order=order, action="intake", actor=dispatcher)
    recorded = {f.target: f for f in services.feedback_for_event(intake.pk)}
    assert recorded["topic"].accepted is True
    assert recorded["handling_type"].accepted is False  # the model said 执法办案类
    assert recorded["topic"].model == trained
    order.unit = units["station"]
    order.save(update_fields=["unit"])
    dispatch = OrderEvent.objects.create(order=order, action="dispatch", actor=dispatcher)
    [unit] = services.feedback_for_event(dispatch.pk)
    assert unit.accepted is False and unit.chosen == str(units["station"].pk)
    # Once per order and target, whatever happens later.
    services.feedback_for_event(dispatch.pk)
    assert SuggestionFeedback.objects.filter(order=order).count() == 3
    rates = selectors.acceptance_rates()
    assert rates["topic"] == {"accepted": 1, "total": 1, "rate": 1.0}
    assert rates["unit"]["rate"] == 0.0


def test_no_model_no_feedback(topics, dispatcher):
    order = WorkOrderFactory(content=FRAUD_TEXT, topic=topics["fraud"])
    event = OrderEvent.objects.create(order=order, action="intake", actor=dispatcher)
    assert services.feedback_for_event(event.pk) == []
    assert selectors.acceptance_rates() == {}


def test_the_supervisor_overview_shows_the_acceptance_rate(client, supervisor, trained, topics, dispatcher):
    order = WorkOrderFactory(content=FRAUD_TEXT, topic=topics["fraud"], handling_type=HandlingType.ENFORCEMENT)
    services.feedback_for_event(OrderEvent.objects.create(order=order, action="intake", actor=dispatcher).pk)
    client.force_login(supervisor)
    html = client.get("/overview/").content.decode()
    assert "智能分派建议：模型 v1" in html
    assert "主题 100%（1/1）" in html


def test_the_event_listener_sends_only_intake_and_dispatch(topics, dispatcher, monkeypatch):
    from suggest import apps, tasks

    sent = []
    monkeypatch.setattr(tasks.feedback, "apply_async", lambda args, **kw: sent.append(args[0]))
    order = WorkOrderFactory(content=FRAUD_TEXT, topic=topics["fraud"])
    intake = OrderEvent.objects.create(order=order, action="intake", actor=dispatcher)
    note = OrderEvent.objects.create(order=order, action="report", actor=dispatcher)
    apps._send_feedback(intake.pk)
    apps._send_feedback(note.pk)
    assert sent == [intake.pk]


def test_the_event_listener_never_fails_the_transition(topics, dispatcher, monkeypatch):
    from suggest import apps, tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.feedback, "apply_async", broker_down)
    order = WorkOrderFactory(content=FRAUD_TEXT, topic=topics["fraud"])
    apps._send_feedback(OrderEvent.objects.create(order=order, action="intake", actor=dispatcher).pk)
