"""Storage: msgspec payload mapping, settings -> eventsourcing environment, migrations."""
