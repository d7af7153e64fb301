"""Similar orders at intake (#16): as the dispatcher types the phone, address and content."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from stations.models import Role

from ..forms import SimilarForm
from ..search import similar_orders
from .common import role_required


@require_GET
@role_required(Role.DISPATCHER)
def intake_similar(request: HttpRequest) -> HttpResponse:
    """The open and recent orders that look like the same matter, each with why and what to do."""
    form = SimilarForm(request.GET)
    hits, asked = [], False
    if form.is_valid() and form.has_enough():
        asked = True
        hits = similar_orders(request.user, **form.query)
    return render(request, "tickets/partials/intake_similar.html", {"hits": hits, "asked": asked})
