"""A decision as readable terminal text (rich), for `eckg screen`."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from graph.screening.decision import Decision

STYLE = {
    "prohibited": "bold white on red",
    "undetermined": "bold black on yellow",
    "enhanced_review": "bold black on dark_orange",
    "license_required": "bold black on cyan",
    "clear": "bold black on green",
}
_BASIS_ORDER = {"stated in the text": 0, "stated by the spokesperson": 1, "analyst's mapping": 2}


def render(decision: Decision) -> Group:
    head = Text.assemble(
        (f" {decision.decision.upper().replace('_', ' ')} ", STYLE[decision.decision]),
        f"  as of {decision.as_of}  ·  certainty {decision.certainty}  ·  graph {decision.graph_hash[:12]}",
    )
    parts: list[Any] = [head, _resolved(decision)]
    parts += [_reason(i, r) for i, r in enumerate(decision.reasons, start=1)]
    if not decision.reasons:
        parts.append(Text("No modelled measure applies to this export on that day.", style="green"))
    for note in decision.notes:
        spans = (
            ", ".join(f"{p['start']}–{p['end'] or '…'} ({p['status']})" for p in note["periods"]) or "none"
        )
        parts.append(
            Text(
                f"note: {note['identifier']} concerns this item but is not in force that day; in force: {spans}",
                style="dim",
            )
        )
    parts += [Text(f"caveat: {c}", style="yellow") for c in decision.caveats]
    parts.append(
        Text(f"decision {decision.id} · engine {decision.engine} · eckg {decision.eckg_version}", style="dim")
    )
    return Group(*parts)


def _resolved(decision: Decision) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("input")
    table.add_column("given")
    table.add_column("resolved to")
    table.add_column("match")
    for field in ("item", "end_user", "consignee", "exporter"):
        entry = decision.resolved.get(field)
        if not entry:
            continue
        if entry["iri"]:
            target, match = entry["label"], f"{entry['match']} {entry['score']:.0f}"
        else:
            nearest = ", ".join(f"{c['label']} ({c['score']:.0f})" for c in entry["candidates"][:3])
            target, match = "—", f"{entry['strength']}" + (f"; closest: {nearest}" if nearest else "")
        table.add_row(field.replace("_", " "), entry["input"], target, match)
    r = decision.resolved
    table.add_row("route", f"{r['exporter_country']} → {r['destination']}", f"origin {r['origin']}", "")
    if r.get("end_use"):
        label = r.get("end_use_label") or r["end_use"].rsplit("#", 1)[-1]
        table.add_row("end use", decision.input.get("end_use", ""), label, "")
    return table


def _reason(index: int, reason: dict[str, Any]) -> Panel:
    lines: list[Any] = [Text(reason["message"])]
    measure = reason.get("measure")
    if measure:
        period = measure.get("in_force_period") or {}
        lines.append(
            Text(
                f"measure: {measure['identifier']} ({measure['kind']}), in force {period.get('start')}–"
                f"{period.get('end') or '…'}; {measure['iri']}",
                style="cyan",
            )
        )
    listing = reason.get("listing")
    if listing:
        where = f" entry {listing['position']}" if listing.get("position") else ""
        lines.append(
            Text(
                f"listing: {listing.get('party_label') or listing.get('iri')} on the {listing['list']}{where} "
                f"({listing['status']})"
            )
        )
    classification = reason.get("classification")
    if classification and classification.get("via_part_of"):
        lines.append(
            Text(f"military end user as part of {classification['via_part_of']} ({classification['status']})")
        )
    articles = sorted(reason.get("articles", []), key=lambda a: _BASIS_ORDER.get(a["basis"], 9))
    if articles:
        lines.append(
            Text("articles: " + "; ".join(f"{a['label']} [{a['basis']}, {a['status']}]" for a in articles))
        )
    for source in reason.get("sources", [])[:4]:
        lines.append(
            Text(
                f"source: {source['publisher']} {source.get('date') or ''} ({source['status']}) {source['url']}",
                style="dim",
                overflow="ellipsis",
                no_wrap=True,
            )
        )
    extra = len(reason.get("sources", [])) - 4
    if extra > 0:
        lines.append(Text(f"… and {extra} more source(s)", style="dim"))
    for item in reason.get("uncertain", []):
        lines.append(Text(f"uncertain: {item['fact']} is {item['status']}", style="yellow"))
    title = f"{index}. {reason['outcome'].replace('_', ' ')} · {reason['status']}"
    return Panel(
        Group(*lines), title=title, title_align="left", border_style=STYLE[reason["outcome"]].split()[-1]
    )
