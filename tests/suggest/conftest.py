import random

import pytest

from tests.factories import TopicFactory, UnitFactory, WorkOrderFactory
from tickets.demo import MATTERS
from tickets.demo_text import content_for
from tickets.models import Status, Topic

TOPIC_NAMES = {
    "noise": "噪音扰民",
    "fraud": "电信诈骗",
    "household": "户籍办理",
    "traffic": "交通秩序",
    "theft": "盗窃",
    "neighbour": "邻里纠纷",
    "id_card": "身份证",
    "exit_entry": "出入境",
    "public_order": "治安秩序",
    "economic": "经济犯罪",
    "parking": "违法停车",
}


@pytest.fixture
def topics(db) -> dict[str, Topic]:
    return {code: TopicFactory(code=code, name=name) for code, name in TOPIC_NAMES.items()}


@pytest.fixture
def units(db):
    return {
        "station": UnitFactory(name="城关派出所", code="chengguan"),
        "fraud": UnitFactory(name="反诈中心", code="anti-fraud"),
        "admin": UnitFactory(name="户政大队", code="household-admin"),
        "traffic": UnitFactory(name="交警大队", code="traffic-police"),
    }


UNIT_OF = {
    "fraud": "fraud",
    "economic": "fraud",
    "household": "admin",
    "id_card": "admin",
    "exit_entry": "admin",
    "traffic": "traffic",
    "parking": "traffic",
}


@pytest.fixture
def finished_orders(topics, units):
    """`make(n)`: n finished orders with demo wording, topic, handling type and unit as the loop left them."""

    def make(n: int, *, seed: int = 1, status=Status.CLOSED, only: list[str] | None = None):
        rng = random.Random(seed)
        codes = only or list(TOPIC_NAMES)
        orders = []
        for i in range(n):
            code = codes[i % len(codes)]
            orders.append(
                WorkOrderFactory(
                    content=content_for(code, rng),
                    topic=topics[code],
                    handling_type=MATTERS[code][1],
                    unit=units[UNIT_OF.get(code, "station")],
                    status=status,
                )
            )
        return orders

    return make
