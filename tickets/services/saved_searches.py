"""常用查询: a user's named filters of the order search."""

from __future__ import annotations

from django.http import QueryDict

from ..exceptions import MSG_SAVED_SEARCH_LIMIT, MSG_SAVED_SEARCH_NAME, InvalidInput
from ..models import SavedSearch

# How many saved searches one person keeps; the list sits beside the search form.
SAVED_SEARCHES_PER_USER = 20
# Parameters that say where in the results a page is, not what is searched.
POSITION_PARAMS = ("cursor", "page", "export")


def clean_query(raw: str) -> str:
    """The search's query string without its page position, re-encoded (nothing else is kept)."""
    query = QueryDict(raw[:2000], mutable=True)
    for name in POSITION_PARAMS:
        query.pop(name, None)
    for name in [k for k, values in query.lists() if not any(v.strip() for v in values)]:
        query.pop(name)
    return query.urlencode()[:1000]


def saved_search_save(*, user, name: str, query: str) -> SavedSearch:
    """Save (or, under the same name, replace) one of `user`'s searches."""
    name = name.strip()
    if not name or len(name) > SavedSearch._meta.get_field("name").max_length:
        raise InvalidInput(MSG_SAVED_SEARCH_NAME, field_errors={"name": [MSG_SAVED_SEARCH_NAME]})
    existing = SavedSearch.objects.filter(user=user, name=name).first()
    if existing is None and SavedSearch.objects.filter(user=user).count() >= SAVED_SEARCHES_PER_USER:
        message = MSG_SAVED_SEARCH_LIMIT % {"n": SAVED_SEARCHES_PER_USER}
        raise InvalidInput(message, field_errors={"name": [message]})
    saved, _created = SavedSearch.objects.update_or_create(user=user, name=name, defaults={"query": clean_query(query)})
    return saved


def saved_search_delete(*, user, pk: int) -> bool:
    """Delete one of `user`'s saved searches; False when it is not theirs (or gone already)."""
    deleted, _rows = SavedSearch.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)
