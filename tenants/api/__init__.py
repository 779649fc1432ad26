"""Api of tenants/, one module per area."""
