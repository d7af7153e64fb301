"""The notices REST API (/api/v1/notices/): thin callers of supervision.services and selectors."""
