"""Views of tenants/, one module per area."""
