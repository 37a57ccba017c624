"""Screening: resolve a request, run the rules, and decide — for one transaction or a batch.

    >>> screener = Screener(load_graph())
    >>> screener.screen(ScreeningRequest(item="1C902.b", destination="JP",
    ...                                  end_user="Japan Maritime Self-Defense Force", date="2026-03-01")).decision
    'prohibited'

A weakly matched end user (a near miss on a name) is never taken as a match: the transaction is
screened both without it and as if it were that party; if that would be more severe, the decision is
undetermined and says which party to confirm or rule out.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib.metadata import version
from typing import Any

from graph.kg import KnowledgeGraph
from graph.screening.decision import RANK, Decision, outcome_of
from graph.screening.engines import Engine, make_engine
from graph.screening.explain import Explainer, weakest
from graph.screening.related import RelatedListings
from graph.screening.report import Finding
from graph.screening.request import ScreeningRequest
from graph.screening.resolve import Resolution, Resolver
from graph.screening.transaction import Resolved

RESOLUTION_CACHE = 100_000


class Screener:
    def __init__(self, kg: KnowledgeGraph, engine: str | None = None) -> None:
        self.kg = kg
        self.resolver = Resolver.for_graph(kg)
        # resolutions are immutable and fixed for a graph version: an order book repeats its names
        self._item = lru_cache(maxsize=RESOLUTION_CACHE)(self.resolver.item)
        self._party = lru_cache(maxsize=RESOLUTION_CACHE)(self.resolver.party)
        self.engine: Engine = make_engine(kg, engine or kg.settings.engine)
        self.explainer = Explainer(kg)
        self.related = RelatedListings(kg)
        self.version = version("eckg")
        self.facts_reviewed = _facts_reviewed(kg)

    # ------------------------------------------------------------------ resolving

    def resolve(self, request: ScreeningRequest) -> Resolved:
        """Resolve every field of a request (its countries are valid: ScreeningRequest checks them);
        FieldError names an end use that is not in the graph."""
        end_use = self.resolver.end_use(request.end_use) if request.end_use else None
        return Resolved(
            request=request,
            item=self._item(request.item),
            end_user=self._party(request.end_user),
            end_use=end_use,
            consignee=self._party(request.consignee) if request.consignee else None,
            exporter=self._party(request.exporter) if request.exporter else None,
        )

    # ------------------------------------------------------------------ deciding

    def screen(self, request: ScreeningRequest) -> Decision:
        return self.screen_many([request])[0]

    def screen_many(self, requests: Sequence[ScreeningRequest]) -> list[Decision]:
        return self.decide([self.resolve(r) for r in requests])

    def decide(self, transactions: Sequence[Resolved], found: list[Finding] | None = None) -> list[Decision]:
        """Decisions for resolved transactions, running the rules once over the whole batch (or using the
        findings already made for them)."""
        findings = self._by_focus(self.engine.findings(transactions) if found is None else found)
        alternatives = [alt for tx in transactions for alt in _weak_alternatives(tx)]
        alt_findings = (
            self._by_focus(self.engine.findings([a for _, a in alternatives])) if alternatives else {}
        )
        assumed: dict[str, list[tuple[Resolved, list[Finding]]]] = {}
        for original, alt in alternatives:
            assumed.setdefault(original.iri, []).append((alt, alt_findings.get(alt.iri, [])))
        return [self._decision(tx, findings.get(tx.iri, []), assumed.get(tx.iri, [])) for tx in transactions]

    @staticmethod
    def _by_focus(findings: list[Finding]) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for f in findings:
            grouped.setdefault(f.focus, []).append(f)
        return grouped

    def _decision(
        self, tx: Resolved, findings: list[Finding], assumed: list[tuple[Resolved, list[Finding]]]
    ) -> Decision:
        as_of = tx.request.as_of
        reasons = [self.explainer.reason(f, tx, as_of) for f in _ordered(findings)]
        outcome = outcome_of(reasons)
        if assumed:
            reasons, outcome = self._with_alternatives(tx, reasons, outcome, assumed)
        decisive = [r for r in reasons if r["outcome"] == outcome and "conditional_on" not in r]
        return Decision(
            decision=outcome,
            certainty=weakest([r["status"] for r in decisive]),
            as_of=as_of,
            graph_hash=self.kg.content_hash,
            engine=self.engine.name,
            reasons=reasons,
            resolved=_resolved(tx, self.resolver.end_use_labels),
            input=tx.request.model_dump(mode="json", exclude_none=True),
            transaction=tx.iri,
            caveats=self._caveats(tx, outcome),
            notes=self.explainer.item_notes(tx, as_of),
            eckg_version=self.version,
        )

    def _with_alternatives(
        self,
        tx: Resolved,
        reasons: list[dict[str, Any]],
        outcome: str,
        assumed: list[tuple[Resolved, list[Finding]]],
    ) -> tuple[list[dict[str, Any]], str]:
        """The reasons and outcome once the parties a weak match may be are supposed in turn: each that
        would be more severe adds a possible-match reason and its own reasons, conditional on that party."""
        as_of = tx.request.as_of
        possible, conditional = [], []
        for alt, alt_found in assumed:
            alt_reasons = [self.explainer.reason(f, alt, as_of) for f in _ordered(alt_found)]
            if RANK[outcome_of(alt_reasons)] < RANK[outcome]:
                possible.append(_possible_match_reason(tx, alt, outcome_of(alt_reasons)))
                conditional += [{**r, "conditional_on": {"end_user": alt.end_user.iri}} for r in alt_reasons]
        reasons = [*possible, *reasons, *conditional]
        return reasons, outcome_of([r for r in reasons if "conditional_on" not in r])

    def _caveats(self, tx: Resolved, outcome: str) -> list[str]:
        caveats = []
        as_of = tx.request.as_of.isoformat()
        if self.facts_reviewed and as_of > self.facts_reviewed:
            caveats.append(
                f"The facts were last reviewed on {self.facts_reviewed}; changes after that day are not in the graph."
            )
        if tx.request.end_use is None and outcome not in ("prohibited", "undetermined"):
            caveats.append(
                "No end use given: military uses and uses enhancing a destination's military capabilities "
                "may be prohibited; a licence application needs end-user and end-use certificates (ECL Art. 15)."
            )
        for name, resolution in (("end user", tx.end_user), ("consignee", tx.consignee)):
            if resolution is not None and resolution.strength == "none":
                why = f" ({resolution.note})" if resolution.note else ""
                caveats.append(
                    f"The {name} '{resolution.input}' matches no party in the graph{why}: no list or "
                    "military end-user check found it; check the name."
                )
        if (item := _item_caveat(tx.item)) is not None:
            caveats.append(item)
        for name, party in (("end user", tx.end_user), ("consignee", tx.consignee)):
            if outcome != "prohibited" and (related := self.related.caveat(name, party, as_of)) is not None:
                caveats.append(related)
        return caveats


def _item_caveat(item: Resolution) -> str | None:
    """How the item was read, where that is not plain: a name or code matching no entry, a name matching
    some only weakly (the entries it may be), or a code read as the entry that contains it."""
    if item.strength not in ("none", "weak"):
        return item.note
    why = f" ({item.note})" if item.note else ""
    if item.strength == "none":
        return f"The item '{item.input}' matches no entry in the graph{why}."
    may_be = "; ".join(f"{c.label} ({round(c.score, 1):g})" for c in item.candidates)
    return f"The item '{item.input}' matches no entry for certain{why}; it may be: {may_be}."


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.rank, f.constraint, f.value))


def _weak_alternatives(tx: Resolved) -> list[tuple[Resolved, Resolved]]:
    if tx.end_user.strength != "weak":
        return []
    return [(tx, tx.with_end_user(c.iri, c.label)) for c in tx.end_user.candidates[:3]]


def _possible_match_reason(tx: Resolved, alt: Resolved, outcome: str) -> dict[str, Any]:
    label = alt.end_user.label
    return {
        "outcome": "undetermined",
        "message": f"Undetermined: the end user '{tx.end_user.input}' may be {label} (name score "
        f"{tx.end_user.score:.0f}); if it is, the export is {outcome.replace('_', ' ')}. Confirm or rule out the party.",
        "status": "unverified",
        "uncertain": [{"fact": "end-user identity", "status": "unverified"}],
        "rule": {"shape": None, "constraint": None, "severity": "Violation", "field": "end_user"},
        "measure": None,
        "articles": [],
        "sources": [],
        "listing": None,
        "classification": None,
        "item_control": None,
        "possible_match": {"iri": alt.end_user.iri, "label": label, "score": round(tx.end_user.score, 1)},
    }


def _resolved(tx: Resolved, end_use_labels: dict[str, str]) -> dict[str, Any]:
    request = tx.request
    return {
        "item": tx.item.as_dict(),
        "end_user": tx.end_user.as_dict(),
        "end_use": tx.end_use,
        "end_use_label": end_use_labels.get(tx.end_use) if tx.end_use else None,
        "consignee": tx.consignee.as_dict() if tx.consignee else None,
        "exporter": tx.exporter.as_dict() if tx.exporter else None,
        "destination": request.destination,
        "origin": request.origin,
        "exporter_country": request.exporter_country,
    }


def _facts_reviewed(kg: KnowledgeGraph) -> str | None:
    rows = kg.query("SELECT ?d WHERE { ?ds a eckg:KnowledgeGraphDataset ; eckg:factsReviewed ?d }").rows
    return rows[0]["d"].value if rows else None
