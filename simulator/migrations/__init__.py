"""Alembic migrations for the storage schema, run programmatically by `simulator.storage.Store`."""
