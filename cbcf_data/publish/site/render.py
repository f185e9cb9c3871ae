"""Every file of the site, as bytes by path: pages rendered with Jinja2 from the templates in
`templates/`, the stylesheet and script from `static/`, the search indexes and the data files.

Paths are stable and derived from IDs: `<lang>/<table>/<id>.html` for a record, so that a citation
can point at one. Nothing depends on the clock or on dict order, so two builds are identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from importlib import resources
from typing import Any

from cbcf_data._version import __version__
from cbcf_data.dataset import Dataset
from cbcf_data.io import csvfiles
from cbcf_data.model import codelists
from cbcf_data.model.table_schema import table_schema
from cbcf_data.model.tables import MODELS
from cbcf_data.publish.citation import cite
from cbcf_data.publish.site import charts, i18n, pages, search, views

STATIC = ("site.css", "site.js")


def environment() -> Any:
    """The Jinja2 environment: templates from the package, HTML autoescaped, undefined names are errors."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cbcf_data.publish.site", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(version=__version__, LANGS=i18n.LANGS, LANG_NAMES=i18n.LANG_NAMES,
                       RECORD_TABLES=views.RECORD_TABLES, inferred_fields=views.inferred_fields,
                       record_inferred=views.record_inferred, record_rows=views.record_rows,
                       latest_assessment=views.latest_assessment, inferred=pages.inferred, message=i18n.message,
                       use_labels=pages.USE_LABELS, meeting_flag=views.meeting_flag, cite=cite())
    env.filters["code_definition"] = lambda code, codelist: i18n.code_definition(codelist, code)
    env.filters["ticks"] = ticks
    return env


def ticks(text: str) -> Any:
    """Text with `backticked` words as <code>, everything else escaped (the models' docstrings use them)."""
    from markupsafe import Markup, escape

    parts = str(escape(text)).split("`")
    return Markup("".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts)))


def site_files(ds: Dataset) -> dict[str, bytes]:
    """Every file of the site of `ds`, by its path inside the site folder (sorted)."""
    return dict(sorted(iter_site_files(ds)))


#: What the site needs to know of its data files: path under the site -> (bytes, SHA-256).
DataSummary = dict[str, tuple[int, str]]


def iter_site_files(ds: Dataset, data: DataSummary | None = None) -> Iterator[tuple[str, bytes]]:
    """Every file of the site of `ds` as (path, bytes), one at a time, so that a caller can write
    each as it comes. `data`: the data files (`data/...`) already written by the caller, with
    their sizes and hashes; without it they come first in the stream."""
    if data is None:
        data = {}
        for path, content in data_files(ds):
            data[path] = (len(content), hashlib.sha256(content).hexdigest())
            yield path, content
    env = environment()
    static = resources.files("cbcf_data.publish.site") / "static"
    for name in STATIC:
        yield f"assets/{name}", (static / name).read_bytes()
    yield "index.html", _render(env, "root.html", views.Page("en", "index.html", ds))
    for lang in i18n.LANGS:
        yield f"assets/search-{lang}.js", search.index_script(views.Page(lang, "", ds)).encode("utf-8")
        yield from _language_pages(env, ds, lang, data)


def _render(env: Any, template: str, page: views.Page, **context: Any) -> bytes:
    html = env.get_template(template).render(p=page, **context)
    return html.encode("utf-8")


def _language_pages(env: Any, ds: Dataset, lang: str, data: DataSummary) -> Iterator[tuple[str, bytes]]:
    def page(path: str) -> views.Page:
        return views.Page(lang, f"{lang}/{path}", ds)

    home = page("index.html")
    yield home.path, _render(env, "home.html", home, charts=[charts.timeline(home)],
                             counts={t: len(ds.table(t)) for t in ds.tables()},
                             meetings=views.meetings_by_date(ds))
    chart_page = page("charts.html")
    yield chart_page.path, _render(env, "charts.html", chart_page, charts=charts.charts(chart_page))
    progress_page = page("progress.html")
    yield progress_page.path, _render(env, "progress.html", progress_page, **pages.progress(progress_page))
    data_page = page("data.html")
    yield data_page.path, _render(env, "data.html", data_page, downloads=downloads(ds, data),
                                  dictionary=dictionary(), codelists=codelists.CODELISTS)
    yield f"{lang}/search.html", _render(env, "search.html", page("search.html"))
    for table in views.RECORD_TABLES:
        listed = page(f"{table}/index.html")
        yield listed.path, _render(env, "list.html", listed, table=table, records=pages.listing(listed, table))
        for key, record in ds.table(table).items():
            shown = page(f"{table}/{key}.html")
            yield shown.path, _render(env, f"{table}.html", shown, table=table, record=record,
                                      archived=f"data/{record.archive_path}" if table == "sources"
                                      and record.archive_path and f"data/{record.archive_path}" in data else "",
                                      **pages.CONTEXTS[table](shown, record))
    yield from retired_pages(ds, lang).items()


_RETIRED = {"en": ("Retired identifier", "{id} was retired in version {version}: {reason}", "It was replaced by {link}.",
                   "It was not replaced."),
            "fr": ("Identifiant retiré", "{id} a été retiré dans la version {version} : {reason}",
                   "Il a été remplacé par {link}.", "Il n'a pas été remplacé.")}


def retired_pages(ds: Dataset, lang: str) -> dict[str, bytes]:
    """A page at each retired ID's old address: it sends the reader on to its successor, or says
    why the record is gone (the reason is the registry's, in English)."""
    from markupsafe import escape

    title, gone, replaced, alone = _RETIRED[lang]
    out = {}
    for entry in ds.retired_ids.values():
        table = entry.table_name
        if table not in views.RECORD_TABLES or entry.id in ds.table(table):
            continue
        successor = entry.replaced_by if entry.replaced_by in ds.table(table) else None
        target = f"{escape(successor)}.html" if successor else ""
        refresh = f'<meta http-equiv="refresh" content="0; url={target}">' if target else ""
        link = f'<a href="{target}">{escape(successor)}</a>'
        text = gone.format(id=escape(entry.id), version=escape(entry.retired_in), reason=escape(entry.reason))
        html = (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title}: '
                f'{escape(entry.id)}</title>{refresh}<link rel="canonical" href="{target or "index.html"}"></head>'
                f'<body><main><h1>{title}</h1><p>{text}</p><p>{replaced.format(link=link) if successor else alone}'
                f'</p><p><a href="index.html">{escape(table)}</a></p></main></body></html>\n')
        out[f"{lang}/{table}/{entry.id}.html"] = html.encode("utf-8")
    return out


def data_files(ds: Dataset) -> Iterator[tuple[str, bytes]]:
    """The tables as canonical CSV and the archived source texts, under `data/`, one at a time."""
    for name, table in ds.tables().items():
        yield f"data/{name}.csv", csvfiles.records_to_csv_text(table.model, table.values()).encode("utf-8")
    for record in ds.sources.values():
        if record.archive_path and ds.root is not None and (ds.root / record.archive_path).is_file():
            yield f"data/{record.archive_path}", (ds.root / record.archive_path).read_bytes()


def downloads(ds: Dataset, data: DataSummary) -> list[dict[str, Any]]:
    """The data files with their table, rows, size and SHA-256, for the data page."""
    rows = []
    for path, (size, sha256) in sorted(data.items()):
        if not path.startswith("data/"):
            continue
        table = path[len("data/"):-len(".csv")] if path.endswith(".csv") else ""
        rows.append({"path": path, "name": path[len("data/"):], "table": table, "bytes": size,
                     "rows": len(ds.table(table)) if table else None, "sha256": sha256})
    return rows


def dictionary() -> list[dict[str, Any]]:
    """Every table's fields from the models (name, type, required, codelist, description)."""
    tables = []
    for model in MODELS:
        fields = []
        for field in table_schema(model)["fields"]:
            constraints = field.get("constraints", {})
            fields.append({"name": field["name"], "type": field["type"], "required": constraints.get("required", False),
                           "codelist": field.get("codelist", ""), "description": field["description"]})
        tables.append({"table": model.table, "doc": (model.__doc__ or "").strip(), "primary_key": model.primary_key,
                       "fields": fields})
    return tables
