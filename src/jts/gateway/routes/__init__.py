"""The REST routes of /api/v1, one module per area; each exports a `..._router` factory."""
