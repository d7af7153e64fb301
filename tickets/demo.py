"""A realistic county bureau for the demo: units, staff, routing rules and ~200 orders.

Orders are walked through the real services on a simulated clock, so every timestamp, event and
deadline is what the system itself would have written. All orders share one timeline (each
order's life is a generator of steps, run in time order), so whatever watches the clock sees the
bureau as it was at every moment. The demo's events are history: no listener hears of them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import Protocol
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from stations.models import Role, RoutingRule, RoutingRuleKind, Unit, UnitKind, User

from . import events, services
from .demo_text import content_for
from .models import Channel, HandlingType, Nature, Outcome, Satisfaction, Topic, Urgency, WorkOrder

# Published in the README; refused by hotline.security.PublishedPasswordValidator when DEBUG is off.
DEMO_PASSWORD = "hotline-demo"

DEMO_LOGINS = [
    ("dispatcher", Role.DISPATCHER, "command", "指挥中心值班员 李娜"),
    ("officer", Role.OFFICER, "chengguan", "城关派出所民警 张伟"),
    ("head", Role.UNIT_HEAD, "chengguan", "城关派出所所长 王强"),
    ("reviewer", Role.REVIEWER, "inspection", "督察大队审核员 赵敏"),
    ("supervisor", Role.SUPERVISOR, "command", "局领导 陈刚"),
    ("admin", Role.ADMINISTRATOR, None, "系统管理员"),
]

STATIONS = [
    ("chengguan", "城关派出所", ["城关街道", "幸福小区", "人民路", "建设路"]),
    ("wolongshan", "卧龙山派出所", ["卧龙山街道", "卧龙山", "青山路", "翠园小区"]),
    ("nanzhan", "南站派出所", ["南站", "车站路", "南湖社区", "南湖"]),
    ("huanghe", "黄河路派出所", ["黄河路", "滨河花园", "金桥社区"]),
    ("macun", "马村派出所", ["马村镇", "马村", "东关村"]),
    ("liangbao", "梁宝寺派出所", ["梁宝寺镇", "梁宝寺", "西街村"]),
    ("zhongshan", "仲山派出所", ["仲山镇", "仲山", "北环路"]),
]

DEPARTMENTS = [
    ("public-security", "治安大队", ["public_order"]),
    ("criminal", "刑侦大队", ["theft"]),
    ("traffic", "交警大队", ["traffic", "parking"]),
    ("economic", "经侦大队", ["economic", "fraud"]),
    ("exit-entry", "出入境管理大队", ["exit_entry"]),
]

REVIEW_UNITS = [("inspection", "督察大队"), ("legal", "法制大队"), ("petition", "信访科")]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
MATTERS = {
    "noise": ("楼上夜间装修噪音扰民，孩子在家上网课受影响，请求处理。", HandlingType.SERVICE, Nature.COMPLAINT),
    "fraud": ("接到自称客服的电话被骗转账，请求警方帮助追回。", HandlingType.ENFORCEMENT, Nature.HELP),
    "household": ("咨询新生儿落户需要准备哪些材料。", HandlingType.CONSULTATION, Nature.CONSULTATION),
    "traffic": ("路口早高峰拥堵严重，建议增派警力疏导。", HandlingType.SERVICE, Nature.SUGGESTION),
    "theft": ("电动车在小区楼下被盗，报警后想了解进展。", HandlingType.ENFORCEMENT, Nature.REPORT),
    "neighbour": ("与邻居因楼道堆放杂物发生纠纷，请求调解。", HandlingType.SERVICE, Nature.HELP),
    "id_card": ("咨询身份证异地补办的流程和时间。", HandlingType.CONSULTATION, Nature.CONSULTATION),
    "exit_entry": ("咨询护照办理需要多长时间。", HandlingType.CONSULTATION, Nature.CONSULTATION),
    "public_order": ("小区门口夜间有人聚集喧哗，担心治安问题。", HandlingType.SERVICE, Nature.COMPLAINT),
    "economic": ("投资理财公司无法兑付，怀疑非法集资。", HandlingType.ENFORCEMENT, Nature.REPORT),
    "parking": ("车辆长期占用消防通道，请求处理。", HandlingType.SERVICE, Nature.COMPLAINT),
}


@contextmanager
def clock(moment: dt.datetime):
    """Run the services as if it were `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def build_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}

    def unit(code, name, kind, parent=None, **extra):
        obj, _ = Unit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": parent, **extra}
        )
        units[code] = obj
        return obj

    branch = unit("county-bureau", "嘉祥县公安局", UnitKind.BRANCH)
    unit("command", "指挥中心", UnitKind.COMMAND_CENTER, branch, head_name="孙建国", duty_phone="0537-6851110")
    for i, (code, name, _keywords) in enumerate(STATIONS):
        unit(code, name, UnitKind.STATION, branch, head_name=f"{SURNAMES[i]}所长", duty_phone=f"0537-68{i:02d}110")
    for code, name, _topics in DEPARTMENTS:
        unit(code, name, UnitKind.DEPARTMENT, branch, duty_phone="0537-6852000")
    for code, name in REVIEW_UNITS:
        unit(code, name, UnitKind.REVIEW, branch)
    return units


def build_routing(units: dict[str, Unit]) -> None:
    for code, _name, keywords in STATIONS:
        for keyword in keywords:
            RoutingRule.objects.get_or_create(
                kind=RoutingRuleKind.ADDRESS, keyword=keyword, defaults={"unit": units[code], "priority": 100}
            )
    for code, _name, topic_codes in DEPARTMENTS:
        for topic_code in topic_codes:
            topic = Topic.objects.get(code=topic_code)
            # Department matters (fraud, economic crime …) go to the department wherever they happen.
            RoutingRule.objects.get_or_create(
                kind=RoutingRuleKind.TOPIC, topic=topic, defaults={"unit": units[code], "priority": 200}
            )


def build_staff(units: dict[str, Unit]) -> dict[str, User]:
    """The demo logins, and an officer and a head for every other unit that handles orders (the
    head answers the unit's notices)."""
    # One hash for every demo user: each hash takes a third of a second by design, and they all
    # share one password anyway.
    password = make_password(DEMO_PASSWORD)
    staff: dict[str, User] = {}
    for username, role, unit_code, full_name in DEMO_LOGINS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "unit": units.get(unit_code) if unit_code else None,
                "full_name": full_name.split()[-1],
                "is_staff": role == Role.ADMINISTRATOR,
                "is_superuser": role == Role.ADMINISTRATOR,
            },
        )
        user.password = password
        user.save()
        staff[username] = user
    for code, unit in units.items():
        if unit.handles_orders and code != "chengguan":
            for prefix, role, title in (("officer", Role.OFFICER, "民警"), ("head", Role.UNIT_HEAD, "负责人")):
                user, _ = User.objects.update_or_create(
                    username=f"{prefix}_{code}",
                    defaults={"role": role, "unit": unit, "full_name": f"{unit.name[:2]}{title}"},
                )
                user.password = password
                user.save()
                staff[f"{prefix}_{code}"] = user
    return staff


def _officer_for(unit: Unit, staff: dict[str, User]) -> User:
    return staff["officer"] if unit.code == "chengguan" else staff[f"officer_{unit.code}"]


def _address_for(rng: random.Random) -> str:
    _code, _name, keywords = rng.choice(STATIONS)
    return f"{rng.choice(keywords)}{rng.randint(1, 30)}号{rng.randint(1, 6)}单元"


Story = Generator[dt.datetime, None, None]


def run_timeline(
    stories: list[Story], *, until: dt.datetime, advance: Callable[[dt.datetime], None] | None = None
) -> None:
    """Run the stories' steps in time order, each on the fake clock at its moment, up to `until`.

    A story is a generator that yields the moment of its next step and takes that step when
    resumed; a step due at or after `until` does not happen (the story stops there). Before each
    step, `advance(moment)` lets the rest of the system catch up with everything that happened
    before it (the supervision sweep, as beat would have run it).
    """
    heap: list[tuple[dt.datetime, int, Story]] = []

    def step(seq: int, story: Story) -> None:
        """Run the story up to its next `yield`, and put it in line for that moment."""
        moment = next(story, None)
        if moment is None:
            return
        if moment < until:
            heapq.heappush(heap, (moment, seq, story))  # seq breaks ties: stories never compare
        else:
            story.close()

    for seq, story in enumerate(stories):
        step(seq, story)
    while heap:
        moment, seq, story = heapq.heappop(heap)
        if advance is not None:
            advance(moment)
        with clock(moment):
            step(seq, story)


def build_orders(
    staff: dict[str, User],
    units: dict[str, Unit],
    count: int,
    seed: int = 12345,
    *,
    now: dt.datetime | None = None,
    advance: Callable[[dt.datetime], None] | None = None,
) -> int:
    """`count` orders received over the eight weeks before `now`, each walked as far along the loop
    as its age allows. All orders share one timeline, so anything that watches the clock (the
    sweep, through `advance`) sees each order as it was at every moment."""
    rng = random.Random(seed)
    topics = {t.code: t for t in Topic.objects.filter(code__in=MATTERS)}
    now = now or timezone.now()
    stories = [_order_story(i, rng, topics, staff, units, now) for i in range(count)]
    run_timeline(stories, until=now, advance=advance)
    return count


def _order_story(i: int, rng: random.Random, topics, staff, units, now: dt.datetime) -> Story:
    """One order's life; each `yield` names the moment of the next step."""
    from stations.services import routing_suggest

    dispatcher, reviewer = staff["dispatcher"], staff["reviewer"]
    # Spread over the last eight weeks; only working-hours intake for realism.
    age = dt.timedelta(minutes=rng.randint(20, 56 * 24 * 60))
    received = timezone.localtime(now - age).replace(second=0, microsecond=0)
    if received.hour < 8 or received.hour >= 20:
        received = received.replace(hour=rng.randint(8, 19))
        if received > now:
            received -= dt.timedelta(days=1)
    topic_code = rng.choice(list(topics))
    _sentence, handling_type, nature = MATTERS[topic_code]
    # Its own stream, so the wording does not shift the rest of the demo's random choices.
    content = content_for(topic_code, random.Random(f"content-{i}-{received:%Y%m%d%H%M}"))
    leader = rng.random() < 0.05
    channel = rng.choice(
        [Channel.HOTLINE_12345] * 6
        + [Channel.LINKAGE_110, Channel.ONLINE_DISCUSSION, Channel.WALK_IN, Channel.SMS, Channel.WEB]
    )
    yield received
    order = services.order_intake(
        channel=channel,
        platform_number=f"SD12345-{received:%Y%m%d}-{i:05d}",
        caller_name=f"{rng.choice(SURNAMES)}{rng.choice(['先生', '女士'])}",
        caller_phone=f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        address=_address_for(rng),
        content=content,
        nature=nature,
        handling_type=handling_type,
        topic=topics[topic_code],
        urgency=rng.choice([Urgency.NORMAL] * 8 + [Urgency.URGENT, Urgency.CRITICAL]),
        confidential=rng.random() < 0.1,
        leader_instructed=leader,
        leader_instruction="请城关派出所高度重视，限期办结并回复群众。" if leader else "",
        received_at=received,
        acting_user=dispatcher,
    ).order
    # How far the loop got: the newest orders are still early in it.
    stage = rng.random() if age > dt.timedelta(days=3) else rng.random() * 0.45
    if stage < 0.06:
        return
    t = received + dt.timedelta(minutes=rng.randint(5, 40))
    yield t
    suggestions = routing_suggest(address=order.address, topic=order.topic)
    unit = suggestions[0].unit if suggestions else units["chengguan"]
    order = services.order_dispatch(order=order, unit=unit, acting_user=dispatcher)
    officer = _officer_for(unit, staff)
    if stage < 0.14:
        return  # dispatched, not contacted: some of these are overdue
    t += dt.timedelta(minutes=rng.choice([15, 25, 40, 50, 75]))
    yield t
    order = services.order_contact(
        order=order, acting_user=officer, method="phone", note="已电话联系群众，了解诉求详情。"
    )
    if stage < 0.22:
        return
    t += dt.timedelta(hours=rng.choice([1, 2, 3, 5, 20]))
    yield t
    outcome = rng.choice([Outcome.RESOLVED] * 8 + [Outcome.PARTLY, Outcome.UNRESOLVED])
    order = services.order_report(
        order=order,
        acting_user=officer,
        outcome=outcome,
        text="民警到场核实情况，已协调相关方处理，群众表示认可。",
        unresolved_reason="" if outcome == Outcome.RESOLVED else "属民事纠纷，已告知当事人通过诉讼途径解决。",
    )
    if stage < 0.30:
        return
    t += dt.timedelta(hours=rng.randint(1, 6))
    if rng.random() < 0.12:
        yield t
        order = services.order_return(order=order, acting_user=reviewer, reason="办理情况描述不清，请补充处理结果。")
        if stage < 0.36:
            return
        t += dt.timedelta(hours=2)
        yield t
        order = services.order_report(
            order=order, acting_user=officer, outcome=Outcome.RESOLVED, text="已补充核实，问题已解决。"
        )
        t += dt.timedelta(hours=1)
    yield t
    order = services.order_approve(order=order, acting_user=reviewer)
    if stage < 0.45:
        return
    t += dt.timedelta(hours=rng.randint(1, 8))
    yield t
    satisfaction = rng.choice([Satisfaction.SATISFIED] * 7 + [Satisfaction.BASICALLY] * 2 + [Satisfaction.UNSATISFIED])
    order = services.order_callback(
        order=order,
        acting_user=dispatcher,
        satisfaction=satisfaction,
        citizen_words="对民警的处理表示认可。" if satisfaction != Satisfaction.UNSATISFIED else "问题没有彻底解决。",
    )
    if stage < 0.55:
        return
    reopen = satisfaction == Satisfaction.UNSATISFIED and rng.random() < 0.5
    yield t + dt.timedelta(minutes=30)
    if reopen:
        services.order_reopen(order=order, acting_user=dispatcher, reason="群众回访不满意，请继续办理。")
    else:
        services.order_close(order=order, acting_user=dispatcher)


def build_special_cases(staff: dict[str, User], units: dict[str, Unit]) -> None:
    """A sent-back order, a pending extension and a merged duplicate, so every queue has work."""
    dispatcher = staff["dispatcher"]
    topic = Topic.objects.get(code="noise")
    base = {
        "channel": Channel.HOTLINE_12345,
        "nature": Nature.COMPLAINT,
        "handling_type": HandlingType.SERVICE,
        "topic": topic,
        "acting_user": dispatcher,
    }
    sent_back = services.order_intake(
        caller_name="周先生",
        caller_phone="13905371234",
        address="南湖社区8号",
        content="广场舞音响声音过大，影响休息。",
        **base,
    ).order
    sent_back = services.order_dispatch(order=sent_back, unit=units["chengguan"], acting_user=dispatcher)
    services.order_send_back(order=sent_back, acting_user=staff["officer"], reason="该地址属南站派出所辖区，请改派。")

    extension = services.order_intake(
        caller_name="吴女士",
        caller_phone="13705375678",
        address="幸福小区12号楼",
        content="小区内商铺夜间施工噪音扰民。",
        **base,
    ).order
    extension = services.order_dispatch(order=extension, unit=units["chengguan"], acting_user=dispatcher)
    extension = services.order_contact(
        order=extension, acting_user=staff["officer"], method="in_person", note="已上门了解情况。"
    )
    services.order_request_extension(
        order=extension,
        acting_user=staff["officer"],
        reason="需协调住建部门共同处理，申请延期一个工作日。",
        requested_until=extension.handling_deadline + dt.timedelta(days=1),
    )

    primary = services.order_intake(
        caller_name="郑先生",
        caller_phone="13605370001",
        address="人民路88号",
        content="人民路夜市摊位占道经营，噪音大。",
        **base,
    ).order
    duplicate = services.order_intake(
        caller_name="冯女士",
        caller_phone="13605370002",
        address="人民路90号",
        content="人民路夜市吵闹，晚上睡不着。",
        **base,
    ).order
    services.order_dispatch(order=primary, unit=units["chengguan"], acting_user=dispatcher)
    services.order_merge(order=duplicate, primary=primary, acting_user=dispatcher, note="同一事项，并单处理。")


class History(Protocol):
    """What else happens along the demo's timeline (the supervision sweep, see supervision/demo.py)."""

    def advance(self, moment: dt.datetime) -> None:
        """Catch up with everything that happened before `moment`."""

    def finish(self, now: dt.datetime) -> None:
        """Catch up to `now`, when the demo is loaded."""


def load_demo(order_count: int = 200, *, now: dt.datetime | None = None, history: History | None = None):
    """Build the demo bureau as it stands at `now` (default: the present).

    Its events are history: no listener hears of them (no task per event floods the broker).
    With a `history`, whatever watches the clock runs along the orders' timeline; without one,
    the sweep's first window finds the events in the log.
    """
    now = now or timezone.now()
    # Muted outside the transaction: listeners are called when it commits.
    with events.muted(), transaction.atomic():
        units = build_units()
        build_routing(units)
        staff = build_staff(units)
        build_orders(staff, units, order_count, now=now, advance=history.advance if history else None)
        # The special cases happen now: the queues' current work.
        with clock(now):
            build_special_cases(staff, units)
        if history is not None:
            history.finish(now)
    return staff


def demo_loaded() -> bool:
    return Unit.objects.exists() or WorkOrder.objects.exists()


def database_in_use() -> bool:
    """Whether the database holds anybody or anything: then it is not ours to fill with the demo."""
    return User.objects.exists() or Unit.objects.exists() or WorkOrder.objects.exists()
