"""The REST API under /api/ (issue #3 builds it out)."""

urlpatterns: list = []
