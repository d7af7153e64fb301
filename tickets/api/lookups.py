from rest_framework.exceptions import NotFound

_MAX_ID = 2**63 - 1


def plausible_id(raw) -> int:
    """The integer id in a URL, or 404 (JSON, like every API error) for anything else."""
    raw = str(raw)
    if not raw.isascii() or not raw.isdigit() or int(raw) > _MAX_ID:
        raise NotFound()
    return int(raw)


class PlausibleIdMixin:
    """Route any path segment to the view and answer 404 for what is not an id.

    A regex in the URL would answer Django's HTML 404 instead of the API's JSON error body.
    """

    lookup_value_regex = "[^/]+"

    def get_object(self):
        self.kwargs[self.lookup_field] = plausible_id(self.kwargs[self.lookup_field])
        return super().get_object()
