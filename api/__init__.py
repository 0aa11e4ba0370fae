"""The REST API under /api/v1/: the same scoping and services as the pages."""
