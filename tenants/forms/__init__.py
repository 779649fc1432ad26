"""Forms of tenants/, one module per area."""
