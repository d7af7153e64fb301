"""The REST API of units and staff (read only)."""
