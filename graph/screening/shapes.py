"""The screening rules as the fast engine runs them: each SHACL-SPARQL constraint of the shapes graph
with its shape, severity, outcome, message and prefixes.

The fast engine evaluates SHACL-SPARQL constraints only. Loading refuses a shape that targets
transactions with anything else (a SHACL Core constraint, a property shape), so the fast engine can never
silently skip a rule that pySHACL would apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.errors import BuildError
from graph.kg import KnowledgeGraph
from graph.namespaces import ECKG, GRAPH_ONTOLOGY, GRAPH_SHAPES

SH = "http://www.w3.org/ns/shacl#"
_ALLOWED_ON_SHAPES = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    SH + "targetClass",
    SH + "severity",
    SH + "sparql",
    SH + "deactivated",
    str(ECKG.implements),
}

_CONSTRAINTS = """
SELECT ?shape ?severity ?constraint ?select ?message ?outcome ?notation ?rank ?implements ?prefixes WHERE {
  ?shape a sh:NodeShape ; sh:targetClass eckg:ExportTransaction ; sh:severity ?severity ; sh:sparql ?constraint .
  ?constraint sh:select ?select ; eckg:yieldsOutcome ?outcome ; sh:prefixes ?prefixes .
  OPTIONAL { ?constraint sh:message ?message }
  OPTIONAL { ?constraint eckg:implements ?implements }
  FILTER NOT EXISTS { ?constraint sh:deactivated true }
  FILTER NOT EXISTS { ?shape sh:deactivated true }
  ?outcome skos:notation ?notation ; eckg:rank ?rank .
}
ORDER BY ?rank ?shape ?constraint"""

_DECLARATIONS = """
SELECT ?prefixes ?prefix ?namespace WHERE {
  ?prefixes sh:declare [ sh:prefix ?prefix ; sh:namespace ?namespace ] .
}"""

_SHAPE_PREDICATES = """
SELECT DISTINCT ?shape ?predicate WHERE {
  ?shape sh:targetClass eckg:ExportTransaction ; ?predicate ?object .
}"""


@dataclass(frozen=True)
class Constraint:
    shape: str
    constraint: str
    severity: str
    outcome: str  # IRI of the eckg:DecisionOutcome
    notation: str  # prohibited, undetermined, enhanced_review, license_required
    rank: int
    implements: str | None
    select: str
    message: str | None
    prefixes: tuple[tuple[str, str], ...]


def load_constraints(kg: KnowledgeGraph) -> list[Constraint]:
    """Every active SPARQL constraint on the shapes that target eckg:ExportTransaction, most severe first."""
    _refuse_unsupported(kg)
    declared: dict[str, dict[str, str]] = {}
    for row in kg.query(_DECLARATIONS, default_graph=[GRAPH_SHAPES]).rows:
        declared.setdefault(row["prefixes"].value, {})[row["prefix"].value] = row["namespace"].value
    constraints = []
    for row in kg.query(_CONSTRAINTS, default_graph=[GRAPH_SHAPES, GRAPH_ONTOLOGY]).rows:
        constraints.append(
            Constraint(
                shape=row["shape"].value,
                constraint=row["constraint"].value,
                severity=row["severity"].value,
                outcome=row["outcome"].value,
                notation=row["notation"].value,
                rank=int(row["rank"].value),
                implements=row["implements"].value if "implements" in row else None,
                select=row["select"].value,
                message=row["message"].value if "message" in row else None,
                prefixes=tuple(sorted(declared.get(row["prefixes"].value, {}).items())),
            )
        )
    if not constraints:
        raise BuildError("the shapes graph holds no SPARQL constraints targeting eckg:ExportTransaction")
    return constraints


def _refuse_unsupported(kg: KnowledgeGraph) -> None:
    for row in kg.query(_SHAPE_PREDICATES, default_graph=[GRAPH_SHAPES]).rows:
        if row["predicate"].value not in _ALLOWED_ON_SHAPES:
            raise BuildError(
                f"shape {row['shape'].value} uses {row['predicate'].value}: the fast engine runs SHACL-SPARQL "
                "constraints only; express the rule as sh:sparql or screen with --engine reference"
            )
