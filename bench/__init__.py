"""Benchmarks and the tools they share: the seeded labelled corpus generator (``corpus``, which
needs Faker from the ``dev`` extra) and the scoring helpers (``evaluation``).

Not shipped in the wheel. Run a benchmark from the repository root as a module,
``python -m bench.accuracy``; tests import these modules the same way (``from bench.evaluation
import score``).
"""
