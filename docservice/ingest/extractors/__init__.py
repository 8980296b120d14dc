"""One module per file family; each exposes ``SPECS`` for the registry."""
