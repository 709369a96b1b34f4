"""Data the layers above share: the catalog of AI destinations and the loader that reads and
validates the YAML files under ``rules/`` (rule packs, destinations, code catalog, waivers).

It sits below ``flows/`` and ``policy/``, so the code scanner can resolve a call's destination
without importing the policy layer.
"""
