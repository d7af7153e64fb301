"""Filters of the bulletin list."""

import django_filters
from django.utils.translation import gettext_lazy as _

from tickets.filters import BooleanFilter

from ..models import Bulletin, BulletinKind


class BulletinFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=BulletinKind.choices)
    automatic = BooleanFilter(label=_("自动生成"))
    period_start = django_filters.DateFilter(label=_("统计起始日"))
    period_start__gte = django_filters.DateFilter(field_name="period_start", lookup_expr="gte", label=_("起始日不早于"))
    period_start__lte = django_filters.DateFilter(field_name="period_start", lookup_expr="lte", label=_("起始日不晚于"))
    period_end = django_filters.DateFilter(label=_("统计截止日"))

    class Meta:
        model = Bulletin
        fields: list[str] = []
