"""Atom feeds per municipality and per body: every reaction (a new one, or one that replaces an
earlier answer: another outcome or only another text), every besluit and every wederwoord. Each
entry's id names the municipality and the event's log position, which never changes."""

from typing import Any, Final
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

from api.pages.public import record_id
from api.pages.render import page
from api.pages.site import PageError, site_of
from api.pages.words import dutch_date, municipality_name, outcome_label, verdict_label
from projections import ReadModel, public

ENTRIES: Final = 50
TAG: Final = "tag:adviesspoor.nl,2024"


def _entries(model: ReadModel, body_id: str | None) -> list[dict[str, Any]]:
    recent = public.recent_answers(model, limit=ENTRIES if body_id is None else ENTRIES * 20)
    docs: dict[str, Any] = {}
    entries = []
    for item in recent:
        aggregate = item["aggregate_id"]
        if aggregate not in docs:
            docs[aggregate] = model.doc(aggregate)
        doc = docs[aggregate]
        if doc is None:
            continue
        if item["type"] == "DecisionTaken":
            listed = [model.doc(a) for a in doc["advice_ids"]]
            if body_id is not None and not any(a and a["body_id"] == body_id for a in listed):
                continue
            entries.append(_decision(item, doc))
        else:
            if body_id is not None and doc["body_id"] != body_id:
                continue
            entries.append(_advice_entry(item, doc))
        if len(entries) == ENTRIES:
            break
    return entries


def _advice_entry(item: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    data, point = item["data"], item["data"].get("point")
    if item["type"] == "ResponseRecorded":
        earlier = [
            r for r in doc["points"][point - 1]["responses"] if r["position"] < item["position"]
        ]
        kind = "Gewijzigde reactie" if earlier else "Reactie"
        title = f"{kind} op punt {point} van ‘{doc['title']}’: {outcome_label(data['outcome'])}"
        text = data["text"] + (f" Motivering: {data['reasons']}" if data.get("reasons") else "")
    else:
        where = f"punt {point}" if point else "alle beantwoorde punten"
        title = f"Wederwoord op {where} van ‘{doc['title']}’: {verdict_label(data['verdict'])}"
        text = data["text"]
    return {**item, "title": title, "text": text, "advice_id": doc["id"]}


def _decision(item: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    text = f"Besluit van {dutch_date(doc['decided_on'])}. " + " ".join(
        f"Afwijking op punt {d['point']}: {d['reasons']}" for d in doc["deviations"]
    )
    first = doc["advice_ids"][0] if doc["advice_ids"] else None
    return {**item, "title": f"Besluit: {doc['title']}", "text": text, "advice_id": first}


def atom(
    base: str, municipality: str, self_path: str, title: str, entries: list[dict[str, Any]]
) -> str:
    updated = entries[0]["recorded_at"] if entries else "2000-01-01T00:00:00.000000Z"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nl">',
        f"<id>{TAG}:{escape(municipality)}{escape(self_path)}</id>",
        f"<title>{escape(title)}</title>",
        f"<updated>{escape(updated)}</updated>",
        f'<link rel="self" href={quoteattr(base + self_path)}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(f"{base}/{municipality}")}/>',
        "<author><name>Adviesspoor</name></author>",
    ]
    for entry in entries:
        link = f"{base}/{municipality}/adviezen/{entry['advice_id']}" if entry["advice_id"] else ""
        parts.extend(
            [
                "<entry>",
                f"<id>{TAG}:{escape(municipality)}/gebeurtenis/{entry['position']}</id>",
                f"<title>{escape(entry['title'])}</title>",
                f"<updated>{escape(entry['recorded_at'])}</updated>",
                f'<link rel="alternate" type="text/html" href={quoteattr(link)}/>' if link else "",
                f'<content type="text">{escape(entry["text"])}</content>',
                "</entry>",
            ]
        )
    parts.append("</feed>")
    return "\n".join(p for p in parts if p)


async def _feed(request: web.Request, body_id: str | None) -> web.StreamResponse:
    site = site_of(request)
    municipality = await site.municipality(request)

    def work(model: ReadModel) -> tuple[str, list[dict[str, Any]]]:
        if body_id is None:
            return municipality_name(municipality), _entries(model, None)
        body = model.doc(body_id)
        if body is None or body["kind"] != "body":
            raise PageError(404)
        return str(body["name"]), _entries(model, body_id)

    name, entries = await site.read(municipality, work)
    base = f"{request.scheme}://{request.host}"
    title = f"Adviesspoor {name}: reacties, besluiten en wederwoorden"
    body = atom(base, municipality, request.path, title, entries)
    return web.Response(text=body, content_type="application/atom+xml", charset="utf-8")


@page
async def municipality_feed(request: web.Request) -> web.StreamResponse:
    return await _feed(request, None)


@page
async def body_feed(request: web.Request) -> web.StreamResponse:
    return await _feed(request, record_id(request))
