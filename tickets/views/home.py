"""Home: each role lands on its own page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from stations.models import Role

HOME_BY_ROLE = {
    Role.DISPATCHER: "tickets:dispatch_board",
    Role.OFFICER: "tickets:workbench",
    Role.UNIT_HEAD: "tickets:workbench",
    Role.REVIEWER: "tickets:review_queue",
    Role.SUPERVISOR: "tickets:overview",
    Role.ADMINISTRATOR: "tickets:search",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page."""
    return redirect(HOME_BY_ROLE.get(request.user.role, "tickets:search"))
