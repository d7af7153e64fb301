"""Reads of the suggest app: how often dispatchers take the model's first guess."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from .models import SuggestionFeedback, SuggestionModel


def acceptance_rates(*, since: dt.datetime | None = None) -> dict[str, dict]:
    """Per target: accepted, total and the rate (None with no feedback yet)."""
    rows = SuggestionFeedback.objects.all()
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    result = {}
    for row in rows.values("target").annotate(total=Count("id"), accepted=Count("id", filter=Q(accepted=True))):
        result[row["target"]] = {
            "accepted": row["accepted"],
            "total": row["total"],
            "rate": row["accepted"] / row["total"] if row["total"] else None,
        }
    return result


def current_model() -> SuggestionModel | None:
    return SuggestionModel.objects.defer("pipeline").order_by("-version").first()
