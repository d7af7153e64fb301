"""The REST API of work orders (issue #3): serializers, views, urls."""
