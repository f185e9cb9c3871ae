"""`build_site`: a static, bilingual (English/French) website of a validated dataset.

    site/
      index.html                 choose a language
      en/index.html, fr/…        home: the forum, coverage, counts, release, citation, timeline
      en/charts.html             every chart, with its text alternative and the table behind it
      en/data.html               tables, data dictionary, codelists, downloads with SHA-256
      en/search.html             offline search (assets/search-en.js, a small JSON index)
      en/<table>/index.html      a list per table: meetings, commitments, people, topics,
      en/<table>/<id>.html       instruments, organizations, sources; one page per record
      assets/                    site.css, site.js, the search indexes
      data/                      the tables as canonical CSV and the archived source texts

It needs no server and no network: every link is relative and every asset is inside the folder,
so it works from `file://` and from any static host. `cbcf-data site` builds it alone and
`cbcf-data release` puts it in the release as `site/`. The entry points are in `build`.

Choices:

- **Jinja2** renders the pages: a real template engine with autoescaping (record text is never
  trusted as HTML), template inheritance for one layout on every page, and macros for the marks
  the dataset promises (inferred values, low-reliability sources) so that no page can forget
  them. It is a main dependency, not only the `cbcf-data[site]` extra, because every release
  carries the site; it is small (Jinja2 and MarkupSafe, both pure Python apart from an optional
  speed-up) and is imported only here, lazily, so `import cbcf_data` stays free of it.
- **Charts are static SVG drawn in Python** (`svg.py`, which says why): no JavaScript library to
  vendor or fetch, identical bytes on every build, readable without JavaScript.
- **Search is a script-wrapped JSON index** (`search.py`) because browsers block `fetch()` from
  `file://`.
"""
