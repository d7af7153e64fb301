"""Supervision services raise the same error types as the ticket services (so the API maps them
the same way), with their own translatable messages kept here as constants."""

from django.utils.translation import gettext_lazy as _

from tickets.exceptions import InvalidInput, InvalidTransition, NotPermitted, StaleVersion, WorkflowError

__all__ = ["InvalidInput", "InvalidTransition", "NotPermitted", "StaleVersion", "WorkflowError"]

MSG_NOTICE_FORBIDDEN_IN_STATE = _("函件当前状态为「%(status)s」，不能执行「%(action)s」。")
MSG_NOTICE_ROLE_NOT_ALLOWED = _("您的角色不能执行「%(action)s」。")
MSG_NOTICE_NOT_YOUR_UNIT = _("该函件不是下发给您所在单位的，不能执行「%(action)s」。")
MSG_RESPONSE_REQUIRED = _("请填写整改措施。")
MSG_REASON_REQUIRED = _("请填写督办事由。")
MSG_ORDER_REQUIRED = _("请选择工单。")
MSG_ORDER_HAS_NO_UNIT = _("该工单尚未转办，没有承办单位，不能下发函件。")
MSG_INVALID_KIND = _("请选择督办单或提醒函。")
MSG_RESPOND_BY_PAST = _("反馈时限不能早于当前时间。")
MSG_NOT_ALLOWED_TO_ISSUE = _("只有督导领导可以人工下发督办单或提醒函。")
MSG_NOTICE_STALE = _("函件已被他人修改（当前版本 %(current)s），请刷新后重试。")
