import pytest
from django.core.management import call_command

from suggest import services
from suggest.models import SuggestionModel
from tickets.models import HandlingType, Status

pytestmark = pytest.mark.django_db


def test_cold_start_trains_nothing_and_suggests_nothing(finished_orders, settings):
    settings.HOTLINE_SUGGEST_MIN_ORDERS = 200
    finished_orders(50)
    assert services.model_train() is None
    assert SuggestionModel.objects.count() == 0
    suggestions = services.suggest_for("楼上装修噪音很大")
    assert not suggestions
    assert suggestions["topic"] == []


def test_open_orders_do_not_count_towards_training(finished_orders, settings):
    settings.HOTLINE_SUGGEST_MIN_ORDERS = 30
    finished_orders(40, status=Status.DISPATCHED)
    assert services.model_train() is None


def test_training_stores_a_model_with_held_out_figures(finished_orders, settings, topics, units):
    settings.HOTLINE_SUGGEST_MIN_ORDERS = 200
    finished_orders(330)
    model = services.model_train()
    assert model.version == 1
    assert model.training_size == 330
    assert model.metrics["held_out"] == 66  # 20%
    assert 0.7 <= model.accuracy <= model.top3_accuracy <= 1
    assert set(model.metrics) >= {"topic", "handling_type", "unit"}
    assert len(bytes(model.pipeline)) > 1000


def test_suggestion_is_the_top_three_with_confidence(finished_orders, settings, topics, units):
    settings.HOTLINE_SUGGEST_MIN_ORDERS = 200
    finished_orders(330)
    services.model_train()
    services._loaded.clear()  # as in a fresh process: read back from the database
    suggestions = services.suggest_for("有人打电话冒充客服让我转账，被骗了两万元")
    assert suggestions.version == 1
    top = suggestions["topic"]
    assert 1 <= len(top) <= 3
    assert top[0].label == "电信诈骗"
    assert top[0].confidence >= top[-1].confidence
    assert suggestions["handling_type"][0].value == HandlingType.ENFORCEMENT
    assert suggestions["unit"][0].label == "反诈中心"


def test_a_new_version_replaces_the_old_one_in_use(finished_orders, settings, topics):
    settings.HOTLINE_SUGGEST_MIN_ORDERS = 20
    finished_orders(40, only=["noise", "parking"])
    first = services.model_train()
    assert services.suggest_for("冒充客服诈骗转账").version == first.version
    finished_orders(60, seed=2, only=["fraud", "theft"])
    second = services.model_train()
    assert second.version == first.version + 1
    after = services.suggest_for("冒充客服打电话让转账，被骗了")
    assert after.version == second.version
    assert after["topic"][0].label == "电信诈骗"  # a topic the first version never saw


def test_the_commands_train_and_evaluate(finished_orders, settings, capsys):
    settings.HOTLINE_SUGGEST_MIN_ORDERS = 200
    finished_orders(220)
    call_command("suggest", "evaluate")
    out = capsys.readouterr().out
    assert "held out 44" in out and "top-3" in out and "噪音扰民:" in out
    call_command("suggest", "train")
    assert "Model v1" in capsys.readouterr().out
    assert SuggestionModel.objects.get().version == 1


def test_the_nightly_task_is_scheduled_and_trains(finished_orders, settings):
    from suggest.tasks import train

    assert settings.CELERY_BEAT_SCHEDULE["suggest-train"]["task"] == "suggest.train"
    settings.HOTLINE_SUGGEST_MIN_ORDERS = 200
    assert train() == {"trained": False}
    finished_orders(200)
    assert train()["version"] == 1


def test_training_reads_only_the_newest_orders_up_to_the_cap(finished_orders, settings):
    settings.HOTLINE_SUGGEST_MIN_ORDERS = 20
    settings.HOTLINE_SUGGEST_MAX_ORDERS = 30
    finished_orders(45)
    assert services.model_train().training_size == 30
