import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from tickets.timewords import deadline_state, duration_words, time_left_words

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (2 * H + 15 * M, "剩余 2小时15分"),
        (-40 * M, "超期 40分钟"),
        (2 * H, "剩余 2小时"),
        (59 * M + dt.timedelta(seconds=59), "剩余 59分钟"),
        (dt.timedelta(seconds=30), "剩余 不到1分钟"),
        (dt.timedelta(0), "剩余 不到1分钟"),
        (-dt.timedelta(seconds=20), "超期 不到1分钟"),
        (27 * H + 20 * M, "剩余 1天3小时"),
        (48 * H + 5 * M, "剩余 2天"),
        (-(3 * H + 1 * M), "超期 3小时1分"),
    ],
)
def test_time_left_in_plain_chinese_words(delta, words):
    assert time_left_words(delta) == words


def test_duration_ignores_the_sign():
    assert duration_words(-90 * M) == duration_words(90 * M) == "1小时30分"


def test_time_left_in_english():
    with translation.override("en"):
        assert time_left_words(2 * H + 15 * M) == "2 h 15 min left"
        assert time_left_words(-40 * M) == "overdue by 40 min"
        assert time_left_words(27 * H) == "1 d 3 h left"


@pytest.mark.parametrize(
    ("delta", "state"),
    [(3 * H, "ok"), (2 * H, "ok"), (2 * H - M, "soon"), (dt.timedelta(0), "soon"), (-M, "overdue")],
)
def test_deadline_state_is_green_amber_or_red(delta, state):
    assert deadline_state(delta) == state


def test_time_left_filter_in_a_template():
    html = Template("{% load workbench %}{{ d|time_left_words }}").render(Context({"d": -40 * M}))
    assert html == "超期 40分钟"


def test_time_left_filter_of_nothing_is_empty():
    assert Template("{% load workbench %}{{ d|time_left_words }}").render(Context({"d": None})) == ""


def test_countdown_tag_carries_state_and_deadline_for_the_live_update():
    now = timezone.now()
    deadline = now + 90 * M
    html = Template("{% load workbench %}{% countdown deadline now %}").render(
        Context({"deadline": deadline, "now": now})
    )
    assert 'class="countdown state-soon"' in html
    assert f'data-deadline="{deadline.isoformat()}"' in html
    assert "剩余 1小时30分" in html
