"""Services of tenants/, one module per area."""
