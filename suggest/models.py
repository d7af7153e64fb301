from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    TOPIC = "topic", _("诉求主题")
    HANDLING_TYPE = "handling_type", _("办理类型")
    UNIT = "unit", _("承办单位")


class SuggestionModel(models.Model):
    """One trained classifier. The newest version is the one in use; older ones stay for comparison.

    `pipeline` is the fitted vectorizer and classifiers serialised with joblib. It is produced by
    `suggest.services.model_train` only and never accepted from outside, so loading it is trusted.
    """

    version = models.PositiveIntegerField(_("版本"), unique=True)
    trained_at = models.DateTimeField(_("训练时间"))
    training_size = models.PositiveIntegerField(_("训练工单数"))
    accuracy = models.FloatField(_("主题准确率"))
    top3_accuracy = models.FloatField(_("主题前三准确率"))
    metrics = models.JSONField(_("各目标指标"), default=dict)
    pipeline = models.BinaryField(_("模型"))

    class Meta:
        verbose_name = _("分派建议模型")
        verbose_name_plural = _("分派建议模型")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.training_size})"


class SuggestionFeedback(models.Model):
    """What the model suggested first for an order and what the dispatcher chose."""

    order = models.ForeignKey("tickets.WorkOrder", on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(SuggestionModel, on_delete=models.SET_NULL, null=True, related_name="feedback")
    target = models.CharField(_("目标"), max_length=20, choices=Target.choices)
    suggested = models.CharField(_("建议值"), max_length=50)
    chosen = models.CharField(_("实际选择"), max_length=50)
    accepted = models.BooleanField(_("采纳"))
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("建议反馈")
        verbose_name_plural = _("建议反馈")
        constraints = [models.UniqueConstraint(fields=["order", "target"], name="suggest_feedback_once_per_target")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.target}: {self.suggested} → {self.chosen}"
