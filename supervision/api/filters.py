"""The notice list's filters (`GET /api/v1/notices/`).

The FilterSet only parses the query; `selectors.filter_notices`, which the browser's list uses
too, applies it, within what the user may see.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from stations.models import Unit
from tickets.filters import BooleanFilter, day_start

from ..models import Notice, NoticeKind, NoticeStatus
from ..selectors import filter_notices, notice_rule_choices


class NoticeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=NoticeKind.choices, method="noop")
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[("open", _("未办结")), *NoticeStatus.choices],
        method="noop",
        help_text=_("open 为未办结（已下发、已签收、已反馈）"),
    )
    unit = django_filters.ModelChoiceFilter(label=_("承办单位"), queryset=Unit.objects.all(), method="noop")
    rule = django_filters.ChoiceFilter(
        label=_("触发规则"), choices=notice_rule_choices, method="noop", help_text=_("manual 为人工下发")
    )
    order_number = django_filters.CharFilter(
        label=_("工单编号"), max_length=50, method="noop", help_text=_("涉及该工单（须为您有权查看的工单）")
    )
    late = BooleanFilter(label=_("逾期"), method="noop", help_text=_("逾期未反馈或逾期反馈"))
    issued_after = django_filters.DateFilter(label=_("下发日期自"), method="noop")
    issued_before = django_filters.DateFilter(label=_("下发日期至"), method="noop", help_text=_("含当天"))
    q = django_filters.CharFilter(label=_("搜索"), max_length=100, method="noop", help_text=_("编号、事由或工单编号"))

    class Meta:
        model = Notice
        fields: list[str] = []

    def noop(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # applied together in filter_queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        late = data.get("late")
        unit = data.get("unit")
        after, before = data.get("issued_after"), data.get("issued_before")
        return filter_notices(
            queryset,
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            unit=unit.pk if unit else None,
            late="" if late is None else ("yes" if late else "no"),
            q=(data.get("q") or "").strip(),
            order_number=(data.get("order_number") or "").strip(),
            rule=data.get("rule") or "",
            issued_from=day_start(after) if after else None,
            issued_until=day_start(before, days_after=1) if before else None,
            user=getattr(self.request, "user", None),
        )
