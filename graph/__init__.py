"""eckg: an export-control knowledge graph.

>>> from graph import load_graph
>>> kg = load_graph()                         # builds once, then reuses the cached store
>>> kg.run("list_measures_in_force", destination="JP", date="2026-03-01").values("identifier")
"""

from graph.errors import EckgError
from graph.kg import KnowledgeGraph, load_graph
from graph.results import QueryResult
from graph.settings import Settings

__all__ = ["EckgError", "KnowledgeGraph", "QueryResult", "Settings", "load_graph"]
