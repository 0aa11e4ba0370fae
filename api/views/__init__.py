"""API views: one module per resource. Each finds objects through the same scoping as
the pages (`visible_to`, `get_case_for`…) and writes through `cases.services`."""
