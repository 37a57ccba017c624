"""HTML pages served with the package: the SPARQL editor (YASGUI, vendored: works offline)."""

from __future__ import annotations

import json
from html import escape

from graph.catalogue import catalogue
from graph.namespaces import sparql_prologue

_EDITOR = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>eckg · SPARQL</title>
<link rel="stylesheet" href="/static/vendor/yasgui/yasgui.min.css">
<style>body{{font-family:system-ui,sans-serif;margin:0}} header{{padding:.6rem 1rem;background:#123;color:#fff}}
header a{{color:#9cf}} main{{padding:0 1rem}}</style>
</head>
<body>
<header><strong>eckg</strong> SPARQL editor · endpoint <code>{endpoint}</code>{update} · <a href="/">screening</a></header>
<main><div id="yasgui" aria-label="SPARQL query editor"></div></main>
<script src="/static/vendor/yasgui/yasgui.min.js"></script>
<script>
const catalogue = {catalogue};
const yasgui = new Yasgui(document.getElementById("yasgui"), {{
  requestConfig: {{ endpoint: {endpoint_json}, method: "POST" }},
  copyEndpointOnNewTab: false, persistenceId: null,
  yasqe: {{ value: catalogue.length ? catalogue[0].query : "SELECT * WHERE {{ ?s ?p ?o }} LIMIT 10" }}
}});
catalogue.slice(1).forEach(q => yasgui.addTab(false, {{ name: q.name, yasqe: {{ value: q.query }} }}));
yasgui.getTab().setName(catalogue.length ? catalogue[0].name : "query");
</script>
</body>
</html>
"""


def editor_page(endpoint: str, update_enabled: bool) -> str:
    """YASGUI on this endpoint, one tab per catalogue query (with eckg's prefixes declared)."""
    entries = [
        {"name": q.name, "query": q.text if "PREFIX" in q.text else sparql_prologue() + q.text}
        for q in catalogue().values()
    ]
    return _EDITOR.format(
        endpoint=escape(endpoint),
        endpoint_json=json.dumps(endpoint),
        update=" (update enabled)" if update_enabled else "",
        catalogue=json.dumps(entries).replace("</", "<\\/"),
    )
