"""The order search: one FilterSet for the REST API's order list and the browser's order search.

Keep it free of API-only code: it takes a queryset (already narrowed to what the user may see, by
`selectors.orders_visible_to`) and query parameters, and returns a filtered, ordered queryset.
"""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.models import Unit, User

from .models import UNIT_WORK_STATUSES, Channel, HandlingType, Nature, Status, Topic, Urgency, WorkOrder
from .search import search_orders

# Orderings offered, each a column and a direction. The id follows in the same direction as a
# tie-breaker, so the order is total: keyset (cursor) pagination depends on it.
ORDERING_CHOICES = [
    ("-received_at", _("受理时间（新到旧）")),
    ("received_at", _("受理时间（旧到新）")),
    ("handling_deadline", _("办理时限（近到远）")),
    ("-handling_deadline", _("办理时限（远到近）")),
]
DEFAULT_ORDERING = "-received_at"
SEARCH_MAX_LENGTH = 100


class StrictNullBooleanSelect(forms.NullBooleanSelect):
    """Django's select maps any unknown value to "unknown"; this one passes it on to be refused."""

    VALUES = {"true": True, "True": True, "1": True, "false": False, "False": False, "0": False, "unknown": None}

    def __init__(self, attrs=None):
        super().__init__(attrs)
        # Not given means "either way": say 全部, not Django's 未知 (which reads as "not known").
        self.choices = (("unknown", _("全部")), ("true", _("是")), ("false", _("否")))

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        return self.VALUES.get(value, value) if value else None


class StrictBooleanField(forms.NullBooleanField):
    """Empty means "either"; true/false (or 1/0) filter; anything else is an error, not "either"."""

    widget = StrictNullBooleanSelect
    default_error_messages = {"invalid": _("请填写 true 或 false。")}

    def to_python(self, value):
        if value in (None, "", "unknown"):
            return None
        if value in (True, False):
            return value
        if value in StrictNullBooleanSelect.VALUES:
            return StrictNullBooleanSelect.VALUES[value]
        raise ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class OptionalMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    """`?status=` (an empty value, as a form sends it) means no filter, not an invalid choice."""

    def to_python(self, value):
        return [v for v in super().to_python(value) if v != ""]


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = OptionalMultipleChoiceField


# Any time outside this range compares like its end: no order is that old or that far ahead,
# and times near year 1 or 9999 cannot even be converted to UTC for the query.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


def clamp(moment: dt.datetime) -> dt.datetime:
    try:
        moment = moment.astimezone(dt.UTC)
    except OverflowError:
        return EARLIEST if moment.year < 5000 else LATEST
    return min(max(moment, EARLIEST), LATEST)


def day_start(day: dt.date, days_after: int = 0) -> dt.datetime:
    """Midnight at the start of `day` (+ `days_after`) in the bureau's time zone."""
    try:
        day += dt.timedelta(days=days_after)
    except OverflowError:
        return LATEST
    return clamp(timezone.make_aware(dt.datetime.combine(day, dt.time.min)))


# The browser shows its own date picker; the value is ISO either way.
DATE_PICKER = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def order_spec(value: str | None) -> tuple[str, bool]:
    """("field", descending) for an ordering choice; the default for an empty or unknown one."""
    if value not in dict(ORDERING_CHOICES):
        value = DEFAULT_ORDERING
    return value.lstrip("-"), value.startswith("-")


def order_by_spec(queryset: QuerySet, field: str, descending: bool) -> QuerySet:
    """Order by `field` (NULLs last) then id, both in the same direction.

    NULLS LAST only on a column that has NULLs: on `received_at` it would stop PostgreSQL from
    reading the index backwards. (The order list itself pages with `selectors.keyset_page`.)
    """
    nulls = {"nulls_last": True} if queryset.model._meta.get_field(field).null else {}
    column = F(field).desc(**nulls) if descending else F(field).asc(**nulls)
    return queryset.order_by(column, "-pk" if descending else "pk")


class OrderFilter(django_filters.FilterSet):
    status = MultipleChoiceFilter(label=_("状态"), choices=Status.choices, distinct=False)
    handling_type = MultipleChoiceFilter(label=_("办理类型"), choices=HandlingType.choices, distinct=False)
    nature = MultipleChoiceFilter(label=_("诉求类别"), choices=Nature.choices, distinct=False)
    urgency = MultipleChoiceFilter(label=_("紧急程度"), choices=Urgency.choices, distinct=False)
    channel = MultipleChoiceFilter(label=_("来源渠道"), choices=Channel.choices, distinct=False)
    topic = django_filters.ModelChoiceFilter(label=_("诉求主题"), queryset=Topic.objects.all())
    unit = django_filters.ModelChoiceFilter(label=_("承办单位"), queryset=Unit.objects.all())
    officer = django_filters.ModelChoiceFilter(label=_("承办民警"), queryset=User.objects.all())
    leader_instructed = BooleanFilter(label=_("领导批示"))
    overdue = BooleanFilter(label=_("已超期"), method="filter_overdue")
    due_before = django_filters.IsoDateTimeFilter(
        label=_("办理时限早于"), field_name="handling_deadline", method="filter_before"
    )
    # Dates of the bureau's calendar, turned into a range of the indexed timestamp column.
    received_after = django_filters.DateFilter(
        label=_("受理日期自"), field_name="received_at", method="filter_from", widget=DATE_PICKER
    )
    received_before = django_filters.DateFilter(
        label=_("受理日期至"), field_name="received_at", method="filter_until", widget=DATE_PICKER
    )
    closed_after = django_filters.DateFilter(
        label=_("办结日期自"), field_name="closed_at", method="filter_from", widget=DATE_PICKER
    )
    closed_before = django_filters.DateFilter(
        label=_("办结日期至"), field_name="closed_at", method="filter_until", widget=DATE_PICKER
    )
    platform_number = django_filters.CharFilter(label=_("12345平台工单号"), max_length=50, field_name="platform_number")
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("工单编号、平台工单号、诉求内容、地址、来电人姓名或电话"),
    )
    ordering = django_filters.ChoiceFilter(
        label=_("排序"), choices=ORDERING_CHOICES, method="filter_ordering", empty_label=None
    )

    class Meta:
        model = WorkOrder
        fields: list[str] = []

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        """Overdue: the unit still owes work and the handling deadline has passed."""
        if value is None:
            return queryset
        overdue = Q(status__in=UNIT_WORK_STATUSES, handling_deadline__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_from(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(**{f"{name}__gte": day_start(value)})

    def filter_until(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        """Up to and including the day `value`."""
        return queryset.filter(**{f"{name}__lt": day_start(value, days_after=1)})

    def filter_before(self, queryset: QuerySet, name: str, value: dt.datetime) -> QuerySet:
        return queryset.filter(**{f"{name}__lt": clamp(value)})

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """`tickets.search.search_orders` within the other filters (declared above `q`, so applied
        first); ranked best first unless an ordering was asked for."""
        user = getattr(self.request, "user", None)
        ranked = not self.form.cleaned_data.get("ordering")
        return search_orders(user, value, orders=queryset, ranked=ranked)

    def filter_ordering(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return order_by_spec(queryset, *order_spec(value))
