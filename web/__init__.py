"""The web front and JSON API (Litestar)."""
