"""Builders and helpers the tests share, importable as ``support.<module>`` (tests/ is on
sys.path through its conftest). Tests import from here, never from each other."""
