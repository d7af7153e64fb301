"""Order content with real variety for the demo and the bench loader.

Each topic has several ways callers put it, with places, times, people and paraphrases drawn at
random, and a share of sentences that could belong to a neighbouring topic (噪音 at night is noise
or public order; 小区车辆 is parking or theft), so that the suggestion model's figures mean something.
Deterministic for a given `random.Random`.
"""

from __future__ import annotations

import random

PLACES = [
    "幸福小区",
    "锦绣花园",
    "城关街道",
    "人民路",
    "建设路",
    "卧龙山路",
    "滨河小区",
    "东方名苑",
    "新华街",
    "阳光家园",
    "火车站广场",
    "老城区菜市场",
    "第二中学门口",
    "中心医院附近",
    "工业园区",
    "翠湖公园",
]
BUILDINGS = ["3号楼", "5栋", "12号楼2单元", "B座", "东门", "北侧", "地下车库", "楼下"]
TIMES = [
    "昨晚",
    "今天凌晨",
    "最近一周",
    "每天晚上十点以后",
    "周末",
    "今天上午",
    "这几天",
    "上个月",
    "前天下午",
    "每天早上",
]
PEOPLE = ["我", "我家老人", "我爱人", "我们几户居民", "我母亲", "邻居们", "孩子", "我和家人"]
ASKS = [
    "请求处理",
    "希望尽快解决",
    "请相关部门管一管",
    "请派人来看看",
    "希望给个答复",
    "麻烦核实一下",
    "请尽快处理，谢谢",
]

TEMPLATES: dict[str, list[str]] = {
    "noise": [
        "{place}{building}{time}有人装修，电钻声很大，{people}休息不好，{ask}。",
        "{time}{place}的广场舞音响声音太大，{people}受不了，{ask}。",
        "{place}{building}楼上{time}一直有噪音，敲敲打打，孩子上网课受影响，{ask}。",
        "{place}附近工地{time}夜间施工，噪音扰民，{ask}。",
        "{place}商铺门口用喇叭大声促销，{time}吵得很，{ask}。",
    ],
    "fraud": [
        "{people}{time}接到自称客服的电话，说要退款，被骗转账{money}元，{ask}。",
        "{people}在网上刷单被骗了{money}元，对方已经拉黑，{ask}。",
        "{time}有人冒充公检法打电话给{people}，让把钱转到安全账户，转了{money}元，{ask}。",
        "{people}在交友软件上认识一个人，被诱导投资，损失{money}元，怀疑是诈骗。",
        "收到短信说医保卡异常，点了链接后银行卡被扣{money}元，{ask}。",
    ],
    "household": [
        "咨询新生儿落户需要准备哪些材料，{people}在{place}买了房。",
        "想把户口从外地迁到{place}，请问需要什么手续。",
        "{people}的户口本丢了，补办户口本要带什么证件。",
        "咨询大学毕业生户口迁回原籍的流程。",
        "老人去世后户口注销怎么办理，需要到哪个窗口。",
        "投靠子女落户{place}有什么条件，{ask}。",
    ],
    "traffic": [
        "{place}路口{time}早高峰拥堵严重，建议增派警力疏导。",
        "{place}的红绿灯{time}坏了，车辆乱行很危险，{ask}。",
        "{place}经常有大货车闯红灯超速，{people}过马路很害怕，{ask}。",
        "建议在{place}增设斑马线和减速带，学生上学不安全。",
        "{place}附近信号灯时间太短，行人来不及过马路，{ask}。",
    ],
    "theft": [
        "{people}的电动车{time}在{place}{building}被盗，报警后想了解进展。",
        "{time}{place}有人撬车窗偷东西，{people}车里的包丢了，{ask}。",
        "{people}在{place}坐公交时手机被偷了，{ask}。",
        "{place}{building}{time}家里被盗，丢了现金和首饰，{ask}。",
        "{place}的自行车经常被偷，{time}又丢了一辆，希望加强巡逻。",
    ],
    "neighbour": [
        "与邻居因楼道堆放杂物发生纠纷，{ask}。",
        "{place}{building}楼上漏水到我家，邻居不肯维修，双方吵了起来，请求调解。",
        "{people}和邻居因为停车位的事{time}发生争吵，对方还动手推人，{ask}。",
        "邻居家的狗{time}一直叫，还在楼道大小便，沟通无果，请求调解。",
        "{place}邻居私自占用公共走廊，{people}多次协商不成，{ask}。",
    ],
    "id_card": [
        "咨询身份证异地补办的流程和时间。",
        "{people}的身份证{time}丢了，在{place}能不能补办，要多久。",
        "身份证快到期了，换领需要带什么材料，{ask}。",
        "咨询办理临时身份证需要多长时间，{people}要坐火车。",
        "孩子第一次办身份证，需要户口本和照片吗。",
    ],
    "exit_entry": [
        "咨询护照办理需要多长时间。",
        "{people}要去香港，港澳通行证怎么办理、在哪里签注。",
        "护照过期了，换发要准备哪些材料，{ask}。",
        "咨询去台湾旅游的通行证签注能不能网上办。",
        "外籍人员在{place}住宿登记怎么办理。",
    ],
    "public_order": [
        "{place}门口{time}有人聚集喧哗，担心治安问题，{ask}。",
        "{place}有人{time}喝酒闹事打架，{people}很害怕，{ask}。",
        "{place}附近{time}有可疑人员到处转悠，希望加强巡逻。",
        "{place}{building}有人聚众赌博，{time}吵吵闹闹，{ask}。",
        "{place}一家按摩店{time}进出人员复杂，怀疑有违法活动。",
    ],
    "economic": [
        "{place}一家投资理财公司无法兑付，{people}投了{money}元，怀疑非法集资。",
        "有公司在{place}搞养老项目，承诺高回报，{time}突然关门跑路了，{ask}。",
        "{people}参加的一个线上投资平台{time}提不了现，涉及很多人，{ask}。",
        "{place}有人以招工名义收取押金{money}元后失联，{ask}。",
        "举报{place}某公司非法吸收公众存款，已经有几十人受骗。",
    ],
    "parking": [
        "{place}{building}有车辆长期占用消防通道，{ask}。",
        "{place}门口{time}车辆乱停乱放，堵住了出入口，{ask}。",
        "{place}一辆车停了几个月没人管，落满灰，疑似僵尸车，{ask}。",
        "{place}路边停车把盲道占了，{people}出行不方便，{ask}。",
        "{time}有人把车停在{place}{building}门口，挡住{people}的车出不来，打电话也不接。",
    ],
}
# A minority of orders that callers word the same for two neighbouring topics: the call taker's
# topic then depends on what came out on the phone, not on the words, so the suggestion model cannot
# be perfect (its figures mean something).
AMBIGUOUS = {
    "noise": [
        "{place}{building}{time}吵得很，{people}睡不着，{ask}。",
        "{place}{time}有人闹，{people}休息不好，{ask}。",
    ],
    "public_order": [
        "{place}{building}{time}吵得很，{people}睡不着，{ask}。",
        "{place}{time}有人闹，{people}休息不好，{ask}。",
    ],
    "neighbour": [
        "{place}{building}{time}吵得很，{people}睡不着，{ask}。",
        "{people}和{place}的人{time}起了争执，{ask}。",
    ],
    "parking": ["{place}{building}的车{time}被人动过，{ask}。", "{place}{building}停车的事，{ask}。"],
    "theft": ["{place}{building}的车{time}被人动过，{ask}。", "{people}的东西{time}在{place}不见了，{ask}。"],
    "fraud": ["{people}{time}投资被骗了{money}元，{ask}。", "{people}被人骗走{money}元，{ask}。"],
    "economic": ["{people}{time}投资被骗了{money}元，{ask}。", "{people}被人骗走{money}元，{ask}。"],
    "household": ["{people}的证件{time}丢了，补办要什么材料。", "咨询在{place}办证需要带什么。"],
    "id_card": ["{people}的证件{time}丢了，补办要什么材料。", "咨询在{place}办证需要带什么。"],
    "exit_entry": ["咨询在{place}办证需要带什么。", "{people}的证件{time}过期了，怎么换。"],
    "traffic": ["{place}{building}停车的事，{ask}。", "{place}{time}车太多了，{ask}。"],
}


def content_for(topic_code: str, rng: random.Random, *, ambiguous_rate: float = 0.15) -> str:
    """One caller's words about `topic_code` (any code without templates gets a generic sentence)."""
    if topic_code in AMBIGUOUS and rng.random() < ambiguous_rate:
        template = rng.choice(AMBIGUOUS[topic_code])
    else:
        template = rng.choice(TEMPLATES.get(topic_code) or ["{place}{building}的问题，{ask}。"])
    return template.format(
        place=rng.choice(PLACES),
        building=rng.choice(BUILDINGS),
        time=rng.choice(TIMES),
        people=rng.choice(PEOPLE),
        ask=rng.choice(ASKS),
        money=rng.choice([800, 2000, 3500, 5000, 12000, 30000, 86000]),
    )
