"""Who does the work: units (command center, stations, departments, review units) and staff."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    BRANCH = "branch", _("分局")
    COMMAND_CENTER = "command_center", _("指挥中心")
    STATION = "station", _("派出所")
    DEPARTMENT = "department", _("警种部门")
    REVIEW = "review", _("审核单位")


class Unit(models.Model):
    """An organisational unit of the bureau."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.SlugField(_("代码"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head_name = models.CharField(_("负责人"), max_length=50, blank=True)
    duty_phone = models.CharField(_("值班电话"), max_length=30, blank=True)
    email = models.EmailField(_("通知邮箱"), blank=True)
    webhook_url = models.URLField(
        _("工作群机器人地址"),
        blank=True,
        help_text=_("企业微信或钉钉群机器人的 Webhook 地址"),
    )
    notify_by_email = models.BooleanField(_("邮件通知"), default=False)
    notify_by_webhook = models.BooleanField(_("工作群通知"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def handles_orders(self) -> bool:
        """Stations and departments are the units orders are dispatched to."""
        return self.kind in (UnitKind.STATION, UnitKind.DEPARTMENT)


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", _("指挥中心值班员")
    OFFICER = "officer", _("承办民警")
    UNIT_HEAD = "unit_head", _("单位负责人")
    REVIEWER = "reviewer", _("审核员")
    SUPERVISOR = "supervisor", _("督导领导")
    ADMINISTRATOR = "administrator", _("系统管理员")


class User(AbstractUser):
    """A member of staff. Each belongs to one unit with one role."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.OFFICER)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            # Everybody but an administrator works in a unit.
            models.CheckConstraint(
                condition=Q(role="administrator") | Q(unit__isnull=False),
                name="user_has_unit_unless_administrator",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def works_in_unit(self) -> bool:
        """Officers and unit heads act only on their own unit's orders."""
        return self.role in (Role.OFFICER, Role.UNIT_HEAD)


class RoutingRuleKind(models.TextChoices):
    ADDRESS = "address", _("地址关键词")
    TOPIC = "topic", _("诉求主题")


class RoutingRule(models.Model):
    """Suggests the responsible unit for a new order.

    An address rule maps a keyword (street, community, road) to the station whose jurisdiction
    it is; a topic rule maps a topic to a specialised department.
    """

    kind = models.CharField(_("规则类型"), max_length=10, choices=RoutingRuleKind.choices)
    keyword = models.CharField(_("地址关键词"), max_length=100, blank=True)
    topic = models.ForeignKey(
        "tickets.Topic",
        verbose_name=_("主题"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    priority = models.PositiveSmallIntegerField(
        _("优先级"), default=100, help_text=_("数字越大越优先；同级时关键词越长越优先")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        ordering = ["-priority", "kind", "keyword"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="address") & ~Q(keyword="") & Q(topic__isnull=True))
                | (Q(kind="topic") & Q(topic__isnull=False)),
                name="routing_rule_kind_matches_fields",
            ),
        ]

    def __str__(self) -> str:
        target = self.keyword if self.kind == RoutingRuleKind.ADDRESS else str(self.topic)
        return f"{self.get_kind_display()}: {target} → {self.unit}"


class ApiToken(models.Model):
    """A REST client's key, tied to a user: the client acts with that user's role and unit.

    Only the SHA-256 digest of the key is stored, and its first characters (`prefix`) to tell
    tokens apart; the key itself is shown once, when the token is created (stations.tokens).
    Keys are 160 random bits, so a plain hash is enough: nobody can guess their way back.
    """

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, help_text=_("例如：12345平台对接"))
    prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False)
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True, help_text=_("留空表示永不过期"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
