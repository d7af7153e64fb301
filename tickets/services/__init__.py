"""Writes on work orders: intake and every transition of the loop, one module per concern.

Each transition: lock the row (`select_for_update`) inside `transaction.atomic()`, check the
optimistic version if the caller gave one, check the transition table (`workflow.check`),
validate the input, write, append an `OrderEvent`, and tell listeners after commit. A refused
action raises a `WorkflowError` and changes nothing.

Callers import this package (`from tickets import services; services.order_dispatch(...)`);
the modules below are its rooms:

- `intake`      接单
- `dispatch`    转办, 改派, 退单, objections, assigning an officer
- `handling`    签收, 联系 and 上报
- `extensions`  延期
- `review`      审核 (approve, return)
- `closing`     回访, 办结, reopen
- `merge`       并单, 关联
- `instructions` 领导批示 at any time before closing
- `saved_searches` 常用查询 (a user's named order searches)
- `common`      the lock, the event record, input checks shared by all of them
- `counters`    named sequences (order numbers: a PostgreSQL sequence per day)
"""

from .closing import BulkCloseResult, order_callback, order_close, order_reopen, orders_close_satisfied
from .counters import next_counter, order_sequences_purge
from .dispatch import order_assign, order_dispatch, order_redispatch, order_reject_objection, order_send_back
from .extensions import order_decide_extension, order_request_extension
from .handling import order_contact, order_report, order_sign
from .idempotency import idempotency_records_purge
from .instructions import order_instruct
from .intake import IntakeResult, intake_errors, order_intake, order_register
from .merge import order_merge, order_relate
from .review import order_approve, order_return
from .saved_searches import saved_search_delete, saved_search_save

__all__ = [
    "BulkCloseResult",
    "IntakeResult",
    "intake_errors",
    "idempotency_records_purge",
    "next_counter",
    "order_approve",
    "order_assign",
    "order_callback",
    "order_close",
    "saved_search_delete",
    "saved_search_save",
    "orders_close_satisfied",
    "order_contact",
    "order_decide_extension",
    "order_dispatch",
    "order_instruct",
    "order_intake",
    "order_merge",
    "order_redispatch",
    "order_register",
    "order_reject_objection",
    "order_relate",
    "order_reopen",
    "order_report",
    "order_request_extension",
    "order_return",
    "order_send_back",
    "order_sign",
    "order_sequences_purge",
]
