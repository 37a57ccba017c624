"""Lookups: parties, items, measures, timeline, sources, end uses, the query catalogue."""

from __future__ import annotations


def test_party_search_in_any_script(client) -> None:  # type: ignore[no-untyped-def]
    found = client.get("/parties", params={"q": "海上自衛隊"}).json()
    assert found[0]["id"] == "jmsdf" and found[0]["score"] == 100 and found[0]["military_end_user"] is True
    listed = client.get("/parties", params={"q": "IHI Aerospace"}).json()
    assert listed[0]["lists"] == ["export control list (MOFCOM Announcement 2026 No. 11)"]
    assert client.get("/parties", params={"q": ""}).status_code == 422


def test_party_detail_with_list_status_over_time(client) -> None:  # type: ignore[no-untyped-def]
    nids = client.get("/parties/nids").json()
    assert (
        nids["military_end_user"] is True
        and nids["military_end_user_basis"]["via_part_of"] == "Ministry of Defense"
    )
    assert [(x["since"], x["list"]) for x in nids["listings"]] == [("2026-06-29", "export control list")]
    assert {"防衛研究所", "National Institute for Defense Studies"} <= {n["name"] for n in nids["names"]}
    assert client.get("/parties/no-such-party").status_code == 404
    assert client.get("/parties/..%2F..%2Fetc").status_code == 404
    assert nids["related_listings"] == []


def test_party_detail_names_its_listed_subsidiaries_and_parts(client) -> None:  # type: ignore[no-untyped-def]
    khi = client.get("/parties/kawasaki-heavy-industries").json()
    assert khi["listings"] == []
    assert {
        (r["relation"], r["id"], r["list"], r["identifier"], r["since"]) for r in khi["related_listings"]
    } == {
        (
            "subsidiary",
            "kawaju-gifu-engineering",
            "export control list",
            "MOFCOM Announcement 2026 No. 11",
            "2026-02-24",
        ),
        (
            "part",
            "khi-aerospace-systems",
            "export control list",
            "MOFCOM Announcement 2026 No. 11",
            "2026-02-24",
        ),
    }
    assert {r["measure_id"] for r in khi["related_listings"]} == {"mofcom-2026-11"}


def test_items(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/items", params={"q": "氧化钐"}).json()[0]["code"] == "1C902.b"
    item = client.get("/items/1C909.b", params={"date": "2026-11-23"}).json()
    assert item["measures"][0]["identifier"] == "MOFCOM/GAC Announcement 2025 No. 57"
    assert item["measures"][0]["period_status"] == "unverified"
    assert client.get("/items/9Z999").status_code == 404


def test_measures_and_timeline(client) -> None:  # type: ignore[no-untyped-def]
    in_force = client.get("/measures", params={"destination": "US", "date": "2025-06-01"}).json()
    assert "MOFCOM Announcement 2024 No. 46 Art. 2 (gallium, germanium, antimony, superhard materials)" in {
        m["identifier"] for m in in_force
    }
    detail = client.get("/measures/mofcom-2024-46-art-2-ban").json()
    assert [p["status"] for p in detail["periods"]] == ["confirmed", "unverified"]
    assert {"suspended", "suspension ends", "issued"} <= {e["event"] for e in detail["timeline"]}
    by_identifier = client.get("/measures/MOFCOM Announcement 2026 No. 12").json()
    assert by_identifier["id"] == "mofcom-2026-12" and len(by_identifier["listings"]) == 12
    timeline = client.get("/timeline", params={"destination": "JP"}).json()
    assert any(
        m["identifier"] == "MOFCOM Announcement 2026 No. 1" and m["periods"] for m in timeline["measures"]
    )
    assert client.get("/measures", params={"destination": "Japan"}).status_code == 422


def test_a_kind_as_measures_are_listed_with_it_selects_them(client) -> None:  # type: ignore[no-untyped-def]
    """Each list gives a measure's kind by its label, and that label selects measures of the kind."""
    in_force = client.get("/measures", params={"date": "2026-03-01", "destination": "JP"}).json()
    assert "end-user/end-use prohibition" in {m["kind"] for m in in_force}
    for listed in (in_force, client.get("/measures").json()):
        for kind in {m["kind"] for m in listed}:
            of_kind = client.get("/measures", params={"kind": kind})
            assert of_kind.status_code == 200, kind
            assert {m["kind"] for m in of_kind.json()} == {kind}
    by_name = client.get("/measures", params={"kind": "eckg:EndUseProhibition"}).json()
    by_label = client.get("/measures", params={"kind": "end-user/end-use prohibition"}).json()
    assert by_label == by_name and by_name
    unknown = client.get("/measures", params={"kind": "EndUseProhibition"}).json()
    assert "end-user/end-use prohibition" in unknown["errors"][0]["message"]


def test_measures_of_a_kind(client) -> None:  # type: ignore[no-untyped-def]
    watch = client.get("/measures", params={"kind": "eckg:WatchListDesignation"}).json()
    assert watch and {m["kind"] for m in watch} == {"watch-list designation"}
    lists = client.get("/measures", params={"kind": "eckg:ListDesignation"}).json()
    assert {m["id"] for m in watch} < {m["id"] for m in lists}, "a kind includes its subkinds"
    unknown = client.get("/measures", params={"kind": "eckg:Nonsense"})
    assert unknown.status_code == 422
    assert "eckg:WatchListDesignation" in unknown.json()["errors"][0]["message"]
    kinds = next(
        p
        for p in client.get("/openapi.json").json()["paths"]["/measures"]["get"]["parameters"]
        if p["name"] == "kind"
    )
    assert "eckg:WatchListDesignation" in kinds["schema"]["enum"]
    assert "watch-list designation" in kinds["schema"]["enum"]
    bad = client.get("/measures", params={"date": "yesterday"}).json()
    assert bad["errors"] == [
        {"field": "query.date", "message": "'yesterday' is not a date written YYYY-MM-DD"}
    ]
    for bad_day in ("0", "86400", "2026-02-30"):
        assert client.get("/measures", params={"date": bad_day}).status_code == 422, bad_day


def test_sources_and_end_uses(client) -> None:  # type: ignore[no-untyped-def]
    source = client.get("/sources/udn-2026-01-06").json()
    assert source["url"] == "https://udn.com/news/story/7331/9248262" and source["status"] == "confirmed"
    assert any(f["iri"].endswith("measure/mofcom-2026-1") for f in source["facts"])
    uses = {u["id"]: u for u in client.get("/end-uses").json()}
    assert uses["automotive"]["broader"] == "civilian" and uses["military"]["label"] == "military"


def test_query_catalogue_over_http(client) -> None:  # type: ignore[no-untyped-def]
    assert any(q["name"] == "explain_decision" for q in client.get("/queries").json())
    csv = client.get(
        "/queries/list_measures_in_force",
        params={"date": "2026-03-01", "destination": "JP"},
        headers={"accept": "text/csv"},
    )
    assert csv.headers["content-type"].startswith("text/csv") and "MOFCOM Announcement 2026 No. 1" in csv.text
    assert client.get("/queries/list_measures_in_force", params={"date": "soon"}).status_code == 422
    assert client.get("/queries/nope").status_code == 404


def test_health_and_openapi(client) -> None:  # type: ignore[no-untyped-def]
    health = client.get("/health").json()
    assert health["status"] == "ok" and len(health["graph_hash"]) == 64
    spec = client.get("/openapi.json").json()
    assert {
        "/screen",
        "/screen/batch",
        "/decisions/{decision_id}",
        "/decisions/{decision_id}/explanation",
        "/parties",
        "/parties/{party_id}",
        "/items",
        "/items/{code}",
        "/measures",
        "/measures/{measure_id}",
        "/sources/{source_id}",
        "/health",
        "/sparql",
    } <= set(spec["paths"])
    assert (
        spec["paths"]["/screen"]["post"]["requestBody"]["content"]["application/json"]["example"]["item"]
        == "1C902.b"
    )


def test_the_page_is_served_with_its_assets(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/")
    assert page.status_code == 200 and "screen-form" in page.text
    for asset in ("/static/app.js", "/static/app.css"):
        assert client.get(asset).status_code == 200
