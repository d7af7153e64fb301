"""Read-only API of bulletins, dashboard figures and hotspots (mounted at /api/v1/analysis/)."""
