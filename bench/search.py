"""Benchmark: the order search (`q`, #12) and similar orders at intake (#16), at 10,000 and 1,000,000 orders.

    python -m bench.search                        # both sizes; a database of its own for each
    python -m bench.search --sizes 10000 --keep   # reuse a database an earlier run filled

PostgreSQL only. Each size gets a database of its own on the server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432): `hotline_bench_search_10k`, `hotline_bench_search_1m`. A new
one is migrated and filled with `INSERT … SELECT generate_series`: orders over the three years
before now (≈ 900 a day), Chinese content made of topic phrases, times and details (a tenth
about noise, 噪音), addresses in 360 communities and 40 roads, a tenth of the calls from 5,000
repeat callers, the last two weeks' orders still open. Then `manage.py search_index` computes
every search document (its time is printed: the backfill an upgraded site runs once) and
VACUUM ANALYZE.

Timed, each once cold then `--repeat` times (p50 and p95):
- `before`: the search as it was on main (icontains over six columns), the first page of 50;
- `selector`: `tickets.search.search_orders` and its first page of 50;
- `REST`: GET /api/v1/orders/?q= through the whole stack (session, filters, pages, JSON);
- `page`: GET /orders/?q= (the browser's search page, HTML);
- `similar`: `tickets.search.similar_orders` for a caller calling again, a neighbour, and new
  text, and GET /api/v1/orders/similar/.
Nothing here is part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from urllib.parse import urlencode, urlsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("SUPERVISION_EVENT_TASKS", "0")
# The benchmark sends far more requests a minute than a person: no throttling here.
os.environ.setdefault("HOTLINE_API_RATE_USER", "1000000/min")
os.environ.setdefault("HOTLINE_API_RATE_ADDRESS", "1000000/min")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# --- the data ----------------------------------------------------------------------------------

PHRASES = [
    ("noise", "楼上夜间装修噪音扰民"),
    ("noise", "广场舞音响声音过大"),
    ("noise", "楼下烧烤店夜间噪音扰民"),
    ("noise", "附近工地夜间施工噪音很大"),
    ("noise", "酒吧营业到凌晨噪音扰民"),
    ("noise", "邻居家狗整夜叫个不停"),
    ("noise", "小区门口商铺用喇叭循环播放广告"),
    ("noise", "夜间噪音影响休息"),
    ("fraud", "接到自称客服的电话被骗转账"),
    ("fraud", "对方冒充公检法要求转账到安全账户"),
    ("fraud", "网上刷单被骗三万元"),
    ("fraud", "收到冒充领导的短信要求汇款"),
    ("fraud", "网购退款被人骗走银行卡验证码"),
    ("household", "咨询新生儿落户需要准备哪些材料"),
    ("household", "咨询户口迁移的办理流程"),
    ("household", "咨询投靠子女落户的条件"),
    ("traffic", "路口早高峰拥堵严重建议增派警力疏导"),
    ("traffic", "红绿灯时间太短行人过不去"),
    ("traffic", "学校门口接送孩子车辆乱停造成拥堵"),
    ("theft", "电动车在小区楼下被盗"),
    ("theft", "家中被盗丢失现金和首饰"),
    ("theft", "停在路边的汽车玻璃被砸车内物品被盗"),
    ("theft", "快递柜里的包裹被人冒领"),
    ("neighbour", "与邻居因楼道堆放杂物发生纠纷"),
    ("neighbour", "楼上漏水邻居拒不维修"),
    ("neighbour", "邻居私自占用公共绿地种菜"),
    ("id_card", "咨询身份证异地补办的流程和时间"),
    ("id_card", "身份证丢失怎么挂失"),
    ("exit_entry", "咨询护照办理需要多长时间"),
    ("exit_entry", "咨询港澳通行证续签"),
    ("public_order", "小区门口夜间有人聚集喧哗"),
    ("public_order", "有人在公园里打架斗殴"),
    ("public_order", "网吧接纳未成年人上网"),
    ("public_order", "有人在小区内散发小广告"),
    ("economic", "投资理财公司无法兑付怀疑非法集资"),
    ("economic", "装修公司收了定金后跑路"),
    ("economic", "培训机构关门不退学费"),
    ("parking", "车辆长期占用消防通道"),
    ("parking", "有人用地锁占用公共车位"),
    ("parking", "僵尸车长期停放在小区内"),
    ("other", "反映烧烤摊油烟太大"),
    ("other", "路灯坏了很久没人修"),
    ("other", "流浪狗在小区里咬人"),
]
TIMES = [
    "每天晚上十点以后",
    "凌晨两点左右",
    "周末早上七点",
    "最近一周",
    "从上个月开始",
    "今天下午",
    "昨天夜里",
    "连续三天",
    "工作日中午",
    "节假日期间",
    "今天早上",
    "前天晚上",
    "这几天",
    "半年来",
]
DETAILS = [
    "严重影响休息",
    "孩子无法学习",
    "老人身体不好受不了",
    "多次反映未果",
    "物业不管",
    "请求尽快处理",
    "希望派出所出面",
    "要求给个说法",
    "担心安全隐患",
    "已经报过警",
    "社区说管不了",
    "请相关部门核实",
    "希望警方帮助追回损失",
    "要求回电告知处理结果",
    "影响周边居民正常生活",
    "已与对方协商无果",
]
EXTRAS = [
    "",
    "",
    "",
    "来电人情绪激动。",
    "来电人要求回电。",
    "来电人称已拍照取证。",
    "涉及多户居民。",
    "来电人不愿透露姓名。",
]
TOWNS = ["城关街道", "城关镇", "卧龙山街道", "南站街道", "黄河路街道", "马村镇", "梁宝寺镇", "开发区", ""]
NAME_HEADS = [
    "幸福",
    "锦绣",
    "翠微",
    "阳光",
    "和平",
    "金桥",
    "滨河",
    "东方",
    "华府",
    "碧水",
    "龙湖",
    "紫荆",
    "青山",
    "绿景",
    "新城",
    "书香",
    "福泽",
    "康居",
    "泰和",
    "瑞祥",
    "御景",
    "怡园",
    "丽都",
    "明珠",
    "海棠",
    "桂花",
    "玉兰",
    "枫林",
    "清华",
    "聚福",
]
NAME_TAILS = ["小区", "花园", "苑", "家园", "新村", "公寓", "名邸", "华庭", "雅居", "小区二期", "嘉园", "广场"]
ROADS = [
    "人民路",
    "建设路",
    "黄河路",
    "青山路",
    "车站路",
    "解放路",
    "中山路",
    "文化路",
    "新华路",
    "胜利路",
    "和平路",
    "光明路",
    "幸福路",
    "长江路",
    "滨河路",
    "红旗路",
    "工业路",
    "健康路",
    "振兴路",
    "团结路",
    "金城路",
    "育才路",
    "府前街",
    "东大街",
    "西大街",
    "南关街",
    "北门街",
    "仓巷",
    "花园巷",
    "龙泉巷",
    "迎宾大道",
    "世纪大道",
    "开元大道",
    "东环路",
    "西环路",
    "南环路",
    "北环路",
    "朝阳路",
    "太白路",
    "洸河路",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"

SEED_ORDERS = """
INSERT INTO tickets_workorder (
    number, platform_number, channel, received_at, caller_name, caller_phone, address, content,
    nature, handling_type, topic_id, urgency, confidential, leader_instructed, leader_instruction,
    status, unit_id, cycle, version, dispatched_at, contacted_at, reported_at, reviewed_at, callback_at,
    closed_at, contact_deadline, handling_deadline, deadline_warning, return_count, reopen_count,
    outcome, satisfaction, created_at, updated_at)
SELECT
    'GD' || to_char(s.at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad((s.g %% 10000)::text, 4, '0'),
    CASE WHEN s.g %% 5 < 3
         THEN 'SD12345-' || to_char(s.at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(s.g::text, 7, '0')
    END,
    (ARRAY['12345','12345','12345','12345','12345','110','online','walk_in','sms','web'])[1 + s.g %% 10],
    s.at,
    substr(%(surnames)s, 1 + floor(random() * length(%(surnames)s))::int, 1)
        || (ARRAY['先生','女士'])[1 + floor(random() * 2)::int],
    CASE WHEN random() < 0.1 THEN '139' || lpad(floor(random() * 5000)::text, 8, '0')
         ELSE '1' || (ARRAY['3','5','8','9'])[1 + floor(random() * 4)::int]
              || lpad(floor(random() * 1e9)::bigint::text, 9, '0')
    END,
    s.address,
    s.time_word || '，' || CASE WHEN random() < 0.3 THEN s.place || '附近' ELSE '' END
        || (%(phrases)s::text[])[s.p] || '，' || (%(details)s::text[])[1 + floor(random() * %(n_details)s)::int] || '。'
        || (%(extras)s::text[])[1 + floor(random() * %(n_extras)s)::int],
    'complaint', 'service', (%(topic_ids)s::bigint[])[s.p], 'normal', random() < 0.1, false, '',
    s.status,
    CASE WHEN s.status = 'received' THEN NULL ELSE (%(unit_ids)s::bigint[])[1 + s.g %% %(n_units)s] END,
    1, 1,
    CASE WHEN s.status <> 'received' THEN s.at + interval '10 minutes' END,
    CASE WHEN s.status NOT IN ('received', 'dispatched') THEN s.at + interval '30 minutes' END,
    CASE WHEN s.status IN ('reported', 'approved', 'closed') THEN s.at + interval '4 hours' END,
    CASE WHEN s.status IN ('approved', 'closed') THEN s.at + interval '5 hours' END,
    CASE WHEN s.status = 'closed' THEN s.at + interval '6 hours' END,
    CASE WHEN s.status = 'closed' THEN s.at + interval '7 hours' END,
    CASE WHEN s.status <> 'received' THEN s.at + interval '70 minutes' END,
    CASE WHEN s.status <> 'received' THEN s.at + interval '24 hours' END,
    '', 0, 0,
    CASE WHEN s.status = 'closed' THEN 'resolved' ELSE '' END,
    CASE WHEN s.status = 'closed' THEN 'satisfied' ELSE '' END,
    s.at, s.at
FROM (
    SELECT g, at, status, place, time_word, p,
           CASE WHEN place_kind < 0.6
                THEN town || place || (1 + floor(random() * 30))::int || '栋'
                     || (1 + floor(random() * 6))::int || '单元'
                     || (1 + floor(random() * 18))::int || '0' || (1 + floor(random() * 4))::int || '室'
                ELSE town || place || (1 + floor(random() * 400))::int || '号'
           END AS address
    FROM (
        SELECT g,
               %(start)s::timestamptz + (g - 1) * %(step)s * interval '1 second' AS at,
               CASE WHEN g > %(open_from)s
                    THEN (ARRAY['received','dispatched','contacted','reported','approved','closed'])[1 + g %% 6]
                    ELSE 'closed' END AS status,
               r AS place_kind,
               (%(towns)s::text[])[1 + floor(random() * %(n_towns)s)::int] AS town,
               CASE WHEN r < 0.6 THEN (%(communities)s::text[])[1 + floor(random() * %(n_communities)s)::int]
                    ELSE (%(roads)s::text[])[1 + floor(random() * %(n_roads)s)::int] END AS place,
               (%(times)s::text[])[1 + floor(random() * %(n_times)s)::int] AS time_word,
               1 + floor(random() * %(n_phrases)s)::int AS p
        FROM generate_series(%(first)s::int, %(last)s::int) AS g, LATERAL (SELECT random() AS r) AS rr
    ) AS inner_rows
) AS s
"""


def _database_url(name: str) -> str:
    """The URL of database `name` on the server of DATABASE_URL."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    return parts._replace(path="/" + name).geturl()


def _label(size: int) -> str:
    return f"{size // 1_000_000}m" if size >= 1_000_000 else f"{size // 1000}k"


def _psql_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(_database_url("postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _use(name: str) -> None:
    """Point Django's connection at the benchmark database `name`."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def prepare(size: int, keep: bool) -> str:
    """A migrated database holding `size` orders, each with its search document."""
    from django.core.management import call_command

    name = f"hotline_bench_search_{_label(size)}"
    if keep and _exists(name):
        print(f"== {name}: kept from an earlier run", flush=True)
        _use(name)
        call_command("migrate", verbosity=0)
        call_command("search_index", verbosity=0)
        return name
    _use("postgres")
    _psql_admin(f"DROP DATABASE IF EXISTS {name}")
    _psql_admin(f"CREATE DATABASE {name}")
    _use(name)
    call_command("migrate", verbosity=0)
    _seed(name, size)
    start = time.perf_counter()
    call_command("search_index", batch_size=2000)
    seconds = time.perf_counter() - start
    print(f"== {name}: search_index for {size:,} orders took {seconds:.0f} s ({size / seconds:.0f} a second)")
    _vacuum(name)
    return name


def _seed(name: str, size: int) -> None:
    import datetime as dt

    import psycopg

    from stations.models import Role, Unit, UnitKind, User
    from tickets.demo import STATIONS

    units = [
        Unit.objects.get_or_create(code=code, defaults={"name": title, "kind": UnitKind.STATION})[0]
        for code, title, _keywords in STATIONS
    ]
    command = Unit.objects.get_or_create(
        code="bench-command", defaults={"name": "指挥中心", "kind": UnitKind.COMMAND_CENTER}
    )[0]
    User.objects.get_or_create(username="bench-dispatcher", defaults={"role": Role.DISPATCHER, "unit": command})
    User.objects.get_or_create(username="bench-officer", defaults={"role": Role.OFFICER, "unit": units[0]})
    unit_ids = [u.pk for u in units]
    with psycopg.connect(_database_url(name), autocommit=True) as conn:
        conn.execute("SELECT setseed(0.1212)")
        topics = dict(conn.execute("SELECT code, id FROM tickets_topic").fetchall())
        communities = [head + tail for head in NAME_HEADS for tail in NAME_TAILS]
        now = dt.datetime.now(dt.UTC)
        span = dt.timedelta(days=3 * 365)
        step = span.total_seconds() / size
        open_from = size - int(dt.timedelta(days=14).total_seconds() / step)
        chunk = 100_000
        for first in range(1, size + 1, chunk):
            last = min(first + chunk - 1, size)
            conn.execute(
                SEED_ORDERS,
                {
                    "first": first,
                    "last": last,
                    "start": now - span,
                    "step": step,
                    "open_from": open_from,
                    "surnames": SURNAMES,
                    "phrases": [p for _t, p in PHRASES],
                    "n_phrases": len(PHRASES),
                    "topic_ids": [topics[t] for t, _p in PHRASES],
                    "details": DETAILS,
                    "n_details": len(DETAILS),
                    "extras": EXTRAS,
                    "n_extras": len(EXTRAS),
                    "towns": TOWNS,
                    "n_towns": len(TOWNS),
                    "communities": communities,
                    "n_communities": len(communities),
                    "roads": ROADS,
                    "n_roads": len(ROADS),
                    "times": TIMES,
                    "n_times": len(TIMES),
                    "unit_ids": unit_ids,
                    "n_units": len(unit_ids),
                },
            )
            print(f"   {last:,} orders", flush=True)


def _vacuum(name: str) -> None:
    import psycopg

    with psycopg.connect(_database_url(name), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# --- the measurements --------------------------------------------------------------------------


def _timed(label: str, fn, repeat: int) -> dict:
    start = time.perf_counter()
    fn()
    cold = (time.perf_counter() - start) * 1000
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    runs.sort()
    p50 = statistics.median(runs)
    p95 = runs[min(len(runs) - 1, round(0.95 * (len(runs) - 1)))]
    print(f"  {label:<62} cold {cold:8.1f}  p50 {p50:8.1f}  p95 {p95:8.1f} ms", flush=True)
    return {"label": label, "cold": cold, "p50": p50, "p95": p95}


def _legacy_q(user, q: str):
    """The search on main before #12: icontains over six columns (the caller's only where visible)."""
    from django.db.models import Q

    from tickets.selectors import caller_visible_q

    matches = (
        Q(number__icontains=q) | Q(platform_number__icontains=q) | Q(content__icontains=q) | Q(address__icontains=q)
    )
    scope = caller_visible_q(user)
    if scope is not None:
        matches |= scope & (Q(caller_name__icontains=q) | Q(caller_phone__icontains=q))
    return matches


def _queries(name: str) -> list[tuple[str, str]]:
    """What a dispatcher types, taken from the data itself."""
    import psycopg

    with psycopg.connect(_database_url(name), autocommit=True) as conn:
        count = conn.execute("SELECT count(*) FROM tickets_workorder").fetchone()[0]
        number, platform = conn.execute(
            "SELECT number, platform_number FROM tickets_workorder WHERE platform_number IS NOT NULL"
            " ORDER BY id OFFSET %s LIMIT 1",
            [count // 3],
        ).fetchone()
        phone = conn.execute(
            "SELECT caller_phone FROM tickets_workorder WHERE caller_phone NOT LIKE '1390%%'"
            " ORDER BY id OFFSET %s LIMIT 1",
            [count // 2],
        ).fetchone()[0]
        repeat_phone = conn.execute(
            "SELECT caller_phone FROM tickets_workorder WHERE caller_phone LIKE '1390%%' ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
    return [
        ("order number", number),
        ("order number, last 8 digits", number[-8:]),
        ("12345 platform number", platform),
        ("caller phone", phone),
        ("caller phone of a repeat caller", repeat_phone),
        ("caller phone, last 4 digits", phone[-4:]),
        ("caller phone, middle 7 digits", phone[3:10]),
        ("word: 噪音 (a tenth of all orders)", "噪音"),
        ("community: 翠微苑", "翠微苑"),
        ("road: 洸河路", "洸河路"),
        ("two words: 烧烤 油烟", "烧烤 油烟"),
        ("phrase: 非法集资", "非法集资"),
        ("part of a name: 福小区", "福小区"),
        ("caller name: 王女士", "王女士"),
    ]


def _legacy_filter_search(self, queryset, name, value):
    """OrderFilter.filter_search as it was on main before #12 (for the `before` figures)."""
    value = value.strip()
    user = getattr(self.request, "user", None)
    return queryset.filter(_legacy_q(user, value)) if value else queryset


def measure(name: str, repeat: int, repeat_before: int) -> list[dict]:
    from unittest import mock

    from django.conf import settings
    from django.test import Client

    from stations.models import Role, User
    from tickets.filters import OrderFilter
    from tickets.search import search_orders, similar_orders
    from tickets.selectors import orders_visible_to

    _use(name)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    dispatcher = User.objects.get(username="bench-dispatcher", role=Role.DISPATCHER)
    officer = User.objects.get(username="bench-officer")
    client = Client()
    client.force_login(dispatcher)
    results = []
    count = orders_visible_to(dispatcher).count()
    print(f"== {name}: {count:,} orders", flush=True)

    def timed(what, fn, label, times):
        results.append({**_timed(what, fn, times), "q": label})

    for label, q in _queries(name):
        print(f" q={q!r} ({label})", flush=True)
        visible = orders_visible_to(dispatcher).order_by("-received_at", "-id")

        def before(q=q, visible=visible):
            return list(visible.filter(_legacy_q(dispatcher, q))[:51])

        def after(q=q, user=dispatcher):
            return list(search_orders(user, q)[:51])

        if repeat_before:
            timed("before: icontains, first page", before, label, repeat_before)
        timed("selector: search_orders, first page", after, label, repeat)
        if label in ("caller phone", "word: 噪音 (a tenth of all orders)"):
            timed("selector, as an officer of one station", lambda q=q: after(q, officer), label, repeat)
        for kind, url in (("REST", "/api/v1/orders/?"), ("page", "/orders/?")):

            def fetch(url=url, q=q):
                response = client.get(url + urlencode({"q": q}))
                assert response.status_code == 200, response.status_code

            timed(f"{kind}: GET {url}q=", fetch, label, repeat)
            if repeat_before:
                with mock.patch.object(OrderFilter, "filter_search", _legacy_filter_search):
                    timed(f"before, {kind}: GET {url}q=", fetch, label, repeat_before)
    for label, data in _similar_inputs(name):
        print(f" similar ({label}): {data}", flush=True)
        timed("similar_orders", lambda data=data: similar_orders(dispatcher, **data), label, repeat)

        def fetch_similar(data=data):
            response = client.get("/api/v1/orders/similar/?" + urlencode(data))
            assert response.status_code == 200, response.status_code

        timed("REST: GET /api/v1/orders/similar/", fetch_similar, label, repeat)

        def fetch_panel(data=data):
            query = {"caller_phone": data["phone"], "address": data["address"], "content": data["content"]}
            response = client.get("/dispatch/similar/?" + urlencode(query))
            assert response.status_code == 200, response.status_code

        timed("panel: GET /dispatch/similar/", fetch_panel, label, repeat)
    return results


def _similar_inputs(name: str) -> list[tuple[str, dict]]:
    import psycopg

    with psycopg.connect(_database_url(name), autocommit=True) as conn:
        phone, address, content = conn.execute(
            "SELECT caller_phone, address, content FROM tickets_workorder WHERE status <> 'closed'"
            " AND caller_phone LIKE '1390%%' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        # A neighbour of an open order if there is one with a building number, else of a recent one.
        _p, neighbour, n_content = conn.execute(
            "SELECT caller_phone, address, content FROM tickets_workorder WHERE address LIKE '%%栋%%'"
            " ORDER BY status = 'closed', id DESC OFFSET 7 LIMIT 1"
        ).fetchone()
    return [
        ("the same caller again", {"phone": phone, "address": address, "content": content}),
        ("a neighbour, other words", {"phone": "13700000001", "address": neighbour, "content": "楼道里堆满杂物"}),
        ("new caller, same words", {"phone": "13700000002", "address": "", "content": n_content}),
        ("only a phone typed", {"phone": phone, "address": "", "content": ""}),
    ]


def explain(name: str) -> None:
    """The plans behind two figures, for the README."""

    from stations.models import User
    from tickets.search import search_orders

    _use(name)
    dispatcher = User.objects.get(username="bench-dispatcher")
    for q in ("噪音", "翠微苑"):
        print(f"-- EXPLAIN ANALYZE search_orders(q={q!r})[:51]")
        print(search_orders(dispatcher, q)[:51].explain(analyze=True))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000", help="orders in each database (default 10000,1000000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs after the cold one (default 20)")
    parser.add_argument(
        "--repeat-before", type=int, default=5, help="timed runs of the old search (default 5; 0 skips it)"
    )
    parser.add_argument("--keep", action="store_true", help="reuse a database an earlier run filled")
    parser.add_argument("--prepare-only", action="store_true", help="fill the databases, measure nothing")
    parser.add_argument("--explain", action="store_true", help="print two query plans too")
    args = parser.parse_args(argv)
    if "postgres" not in os.environ.get("DATABASE_URL", "postgres"):
        print("bench.search needs PostgreSQL (DATABASE_URL=postgres://…)")
        return 1
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ["DATABASE_URL"] = _database_url("postgres")
    import django

    django.setup()
    names = [prepare(size, args.keep) for size in sizes]
    if args.prepare_only:
        return 0
    for name in names:
        measure(name, args.repeat, args.repeat_before)
        if args.explain:
            explain(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
