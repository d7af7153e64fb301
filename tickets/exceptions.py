"""The one error type the ticket services raise, with translatable messages kept as constants."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class WorkflowError(Exception):
    """A service refused to act. Nothing was changed.

    `field_errors` maps an input field to its message, for forms and the API's 400 body.
    """

    status_code = 400
    code = "invalid"

    def __init__(self, message, *, field_errors: dict | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field_errors = field_errors or {}
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(WorkflowError):
    status_code = 400
    code = "invalid"


class NotPermitted(WorkflowError):
    status_code = 403
    code = "permission_denied"


class InvalidTransition(WorkflowError):
    """The order's current state does not allow the action."""

    status_code = 409
    code = "invalid_transition"


class StaleVersion(WorkflowError):
    """The caller acted on an outdated copy of the order."""

    status_code = 412
    code = "stale_version"


MSG_FORBIDDEN_IN_STATE = _("工单当前状态为「%(status)s」，不能执行「%(action)s」。")
MSG_ROLE_NOT_ALLOWED = _("您的角色不能执行「%(action)s」。")
MSG_NOT_YOUR_UNIT = _("该工单不属于您所在单位，不能执行「%(action)s」。")
MSG_STALE = _("工单已被他人修改（当前版本 %(current)s），请刷新后重试。")
MSG_REQUIRED = _("此项为必填项。")
MSG_UNIT_CANNOT_HANDLE = _("只能转办给派出所或警种部门。")
MSG_UNIT_INACTIVE = _("该单位已停用。")
MSG_SAME_UNIT = _("改派的单位不能是当前承办单位。")
MSG_REASON_REQUIRED = _("请填写理由。")
MSG_UNRESOLVED_REASON_REQUIRED = _("办理结果为未解决或部分解决时，请说明原因。")
MSG_REOPEN_NEEDS_UNSATISFIED = _("只有回访不满意的工单才能重办。")
MSG_SAVED_SEARCH_NAME = _("请为常用查询起一个不超过 40 字的名称。")
MSG_SAVED_SEARCH_LIMIT = _("每人最多保存 %(n)s 个常用查询，请先删除不用的。")
MSG_BULK_CLOSE_NEEDS_SATISFIED = _("回访不满意的工单不能批量办结，请逐一办结或重办。")
MSG_MERGE_SELF = _("不能并入工单自身。")
MSG_MERGE_PRIMARY_CLOSED = _("主工单已办结或已被并单，不能并入。")
MSG_RELATE_SELF = _("不能关联工单自身。")
MSG_SIMILAR_NOT_FOUND = _("要并入或关联的工单不存在或您无权查看。")
MSG_EXTENSION_PENDING = _("该工单已有待审批的延期申请。")
MSG_NO_PENDING_EXTENSION = _("该工单没有待审批的延期申请。")
MSG_EXTENSION_NOT_LATER = _("申请延至的时间必须晚于当前办理时限和当前时间。")
MSG_OFFICER_NOT_IN_UNIT = _("承办民警必须是该工单承办单位的民警。")
MSG_NOT_IN_FUTURE = _("时间不能晚于当前时间。")
MSG_RECEIVED_LONG_AGO = _("受理时间早于 %(days)s 天前，请核对；确认无误请勾选“确认受理时间无误”后再提交。")
MSG_LEADER_INSTRUCTION_REQUIRED = _("标记领导批示时请填写批示内容。")
MSG_INVALID_CHOICE = _("「%(value)s」不是有效的选项。")
MSG_INVALID_PHONE = _("请输入有效的电话号码。")
MSG_CONTACT_BEFORE_DISPATCH = _("联系时间不能早于转办时间。")
