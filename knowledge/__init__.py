"""Storage, schemas, taxonomy, reference data and import/export for gunmane.

Nothing in this package imports ``matching`` or ``bot``: dependencies point
``bot`` → ``matching`` → ``knowledge``.
"""
