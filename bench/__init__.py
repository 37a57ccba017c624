"""Benchmarks: our engine against the pySHACL/rdflib baseline and the raw Oxigraph limit, in one run.

`make bench` runs `python -m bench.run`; `make load` runs `python -m bench.load`. Nothing here is imported
by the library or the tests' default run.
"""
