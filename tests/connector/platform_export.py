"""A 12345 platform's order export, as a test (or the benchmark) needs it: their headers, their codes."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

# How the city's platform names its columns (an ImportMapping's column_map maps them to ours).
HEADER = [
    "工单编号",
    "来源",
    "受理时间",
    "来电人姓名",
    "联系电话",
    "事发地址",
    "诉求内容",
    "诉求性质",
    "办理类别",
    "问题分类",
    "紧急程度",
]
COLUMN_MAP = {
    "工单编号": "platform_number",
    "来源": "channel",
    "受理时间": "received_at",
    "来电人姓名": "caller_name",
    "联系电话": "caller_phone",
    "事发地址": "address",
    "诉求内容": "content",
    "诉求性质": "nature",
    "办理类别": "handling_type",
    "问题分类": "topic",
    "紧急程度": "urgency",
}
CODE_MAP = {
    "channel": {"RX": "12345"},
    "nature": {"ZX": "consultation", "TS": "complaint"},
    "handling_type": {"1": "consultation", "3": "service"},
    "topic": {"001": "noise"},
    "urgency": {"0": "normal", "1": "urgent"},
}


def row(n: int, *, prefix: str = "GD", received: str = "") -> list:
    return [
        f"{prefix}{n:07d}",
        "RX",
        received,
        f"市民{n}",
        "13800000000",
        f"幸福路{n}号",
        f"楼上装修噪音 {n}",
        "TS",
        "3",
        "001",
        "0",
    ]


def xlsx(rows: list[list], header: list[str] = HEADER) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("工单")
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8", header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)
