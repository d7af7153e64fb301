"""The browser workbench: thin views over the selectors (reads) and the services (writes).

Pages by role: the dispatcher board, the unit workbench, the review queue, the callback queue, the
supervisor's overview, and for everybody the order detail and the search. A view parses input
with a form, calls the service through `form.perform()`, and on a `WorkflowError` shows the
service's message next to the field. An order a user may not see is a 404, never a 403, so
nobody learns which order numbers exist elsewhere.

- `board`     the dispatcher board and intake
- `overview`  the supervisor's view of every unit's load
- `queues`    the unit workbench, the review queue, the callback queue
- `orders`    one order's page and its actions
- `search`    the search page
- `similar`   similar orders as the dispatcher types (intake)
- `home`      where each role lands
- `common`    access rules and list rows shared by the pages
"""

from .board import desk_pulse, dispatch_board, intake, intake_suggest
from .common import role_required
from .home import home
from .orders import order_action, order_action_form, order_by_number, order_detail
from .overview import overview, overview_partial, unit_overview
from .queues import callback_close_many, callback_queue, review_queue, workbench
from .search import saved_search_delete, saved_search_save, search, search_export
from .similar import intake_similar

__all__ = [
    "callback_close_many",
    "callback_queue",
    "desk_pulse",
    "dispatch_board",
    "home",
    "intake",
    "intake_similar",
    "intake_suggest",
    "order_action",
    "order_action_form",
    "order_by_number",
    "order_detail",
    "overview",
    "overview_partial",
    "review_queue",
    "role_required",
    "saved_search_delete",
    "saved_search_save",
    "search",
    "search_export",
    "unit_overview",
    "workbench",
]
