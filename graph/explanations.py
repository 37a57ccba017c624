"""The "why" of a stored decision: the chain reason → measure → articles → sources, as JSON or RDF."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from graph.kg import KnowledgeGraph
from graph.screening.decision import Decision
from graph.screening.record import decision_triples


def explanation(decision: Decision) -> dict[str, Any]:
    """The decision's outcome and, per reason, the measure, its in-force period, the articles and the sources."""
    chain = []
    for reason in decision.reasons:
        measure = reason.get("measure") or {}
        chain.append(
            {
                "outcome": reason["outcome"],
                "status": reason["status"],
                "message": reason["message"],
                "measure": {k: measure.get(k) for k in ("identifier", "iri", "kind", "in_force_period")}
                if measure
                else None,
                "listing": {
                    k: reason["listing"][k] for k in ("iri", "party_label", "list", "position", "status")
                }
                if reason.get("listing")
                else None,
                "articles": reason.get("articles", []),
                "sources": reason.get("sources", []),
                "uncertain": reason.get("uncertain", []),
                **({"conditional_on": reason["conditional_on"]} if reason.get("conditional_on") else {}),
            }
        )
    return {
        "id": decision.id,
        "decision": decision.decision,
        "certainty": decision.certainty,
        "as_of": decision.as_of.isoformat(),
        "graph_hash": decision.graph_hash,
        "chain": chain,
    }


def explanation_triples(kg: KnowledgeGraph, decision: Decision) -> list[ox.Triple]:
    """The decision's triples with the descriptions of the measures, listings, legal bases, articles and
    sources its reasons cite (read from the current graph)."""
    cited: set[str] = set()
    for reason in decision.reasons:
        if reason.get("measure"):
            cited.add(reason["measure"]["iri"])
        if reason.get("listing"):
            cited.add(reason["listing"]["iri"])
        cited |= {a["iri"] for a in reason.get("articles", [])} | {
            s["iri"] for s in reason.get("sources", [])
        }
    triples = list(decision_triples(decision))
    for iri in sorted(cited):
        node = ox.NamedNode(iri)
        triples += [
            ox.Triple(q.subject, q.predicate, q.object)
            for g in kg.data_graphs()
            for q in kg.store.quads_for_pattern(node, None, None, ox.NamedNode(g))
        ]
        for basis in kg.store.quads_for_pattern(
            node, ox.NamedNode("https://w3id.org/eckg/ontology#hasLegalBasis"), None, None
        ):
            article = basis.object
            if isinstance(article, ox.NamedNode | ox.BlankNode):
                triples += [
                    ox.Triple(q.subject, q.predicate, q.object)
                    for q in kg.store.quads_for_pattern(article, None, None, None)
                ]
    return list(dict.fromkeys(triples))
