"""HTML views of the platform, one module per area."""
