"""研判与通报: weekly bulletins, dashboards, hotspots, special campaigns and typical cases."""
