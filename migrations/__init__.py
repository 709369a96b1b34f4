"""Alembic migrations of the findings database; ships in the wheel as ``auditor._migrations``."""
