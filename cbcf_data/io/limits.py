"""Every limit on reading input, in one place (README "Guarantees" → "Limits" lists them).

Input is untrusted: a contributed bundle, a downloaded release, a pull request's records. Each
limit is checked before the memory it guards is spent — a file's size before it is read, a
zip member's bytes as they are decompressed, a document's values before it is parsed, a CSV
record's characters as its lines arrive — and reading stops there with a located issue (or
`UnusableInputError`). Under these limits `load()` of a dataset folder, which holds the dataset in
memory, stops at LOAD_MEMORY (4 GiB) gained, `validate` at VALIDATE_MEMORY, and what is held as
typed records or dictionaries (LOAD_BYTES, LOAD_ROWS) or as `diff`'s changed rows (DIFF_ROWS,
DIFF_CHARS) needs about 1 GB at most.

Each is far above what the real dataset needs (a few hundred rows; a bundle of a few kB).
"""

from __future__ import annotations

MiB = 1024 * 1024

# CSV tables
#: Characters in one CSV cell (the longest field allows 4,000).
CELL_CHARS = 100_000
#: Characters in one CSV record, all its lines together.
RECORD_CHARS = 1_000_000
#: Bytes of a table file `validate` reads for one batch of rows while it reads line by line
#: (`io.blocks`: from a line that needs the csv module on), taken `BATCH_STEP` records at a time, so a
#: batch holds at most about this much plus BATCH_STEP records; a block's batches, at most CSV_BLOCK.
BATCH_BYTES = 4 * MiB
BATCH_STEP = 10
#: Bytes of a table file `validate` reads at a time while its lines hold no quote (`io.blocks`): a
#: block's text, lines and cells (about six times its bytes) stay in a core's cache (1 MiB of L2)
#: through the checks that each pass over them; 256 KiB took 1.2–1.3 times as long at 1M commitments.
CSV_BLOCK = 32 * 1024
#: Bytes of a dataset's table files together, as `validate` streams them (the 1,000,000-commitment
#: benchmark dataset is 370 MB).
VALIDATE_BYTES = 512 * MiB
#: Rows of a dataset's tables together, as `validate` streams them (the keys of every row are kept
#: to check references; the benchmark's 1,000,000 commitments make 2.8 million rows, 600 MB).
VALIDATE_ROWS = 5_000_000
#: Memory `validate` may gain while it reads rows, checked every 10,000 lines where the system
#: tells it (Linux): the row limit is for datasets shaped like the benchmark (about 200 bytes a
#: row); rows that the cross-table rules keep more of (topics in a parent loop: 600) meet this first.
VALIDATE_MEMORY = 768 * MiB
#: Bytes of table files `load()` holds as cells when it reads a dataset folder (and the commands
#: reading through it: `show`, `export`): as many as `validate` streams. The cells of the
#: 1,000,000-commitment benchmark dataset (370 MB, 2.85 million rows) take 2.1 GiB (peak RSS 2,182
#: MiB; its tables read into Python dictionaries by key: 2,212 MiB): about 6 times the bytes for
#: rows shaped like the benchmark's. The shortest rows (a key and an empty cell) take 352 bytes
#: each: 1.7 GiB at the row limit.
LOAD_FOLDER_BYTES = VALIDATE_BYTES
#: Rows of a dataset folder's tables `load()` holds as cells, as for LOAD_FOLDER_BYTES.
LOAD_FOLDER_ROWS = VALIDATE_ROWS
#: Memory `load()` of a dataset folder may gain while it reads rows, checked every 10,000 rows and
#: every 4 MiB of file where the system tells it (Linux). Rows shaped like the benchmark's reach the byte or row limit
#: first (512 MiB of them would take about 3.1 GiB); rows of many 2-character cells (measured: 26
#: bytes of memory for each byte of file) meet this first.
LOAD_MEMORY = 4 * 1024 * MiB
#: Bytes of table files held in memory as typed records or dictionaries: `load()` of a release zip
#: or JSON document, each side of `diff` compared in memory (a release's JSON, unsorted tables), a
#: release zip's members as decompressed (`load`, `diff`), `release` of a dataset whose tables are
#: not sorted by key (a sorted one is streamed), and one table file read whole by
#: `fmt`, `import` and `remove`. The 100,000-commitment benchmark dataset (37 MB, 284,202 rows)
#: typed as records took 470 MB.
LOAD_BYTES = 64 * MiB
#: Rows held in memory as typed records or dictionaries, as for LOAD_BYTES.
LOAD_ROWS = 400_000
#: Rows `diff` holds when it streams tables sorted by key: those added, removed or changed, all
#: tables together (rows it streams past are not held, and not counted).
DIFF_ROWS = 400_000
#: Characters of the cells of the rows `diff` holds, as for DIFF_ROWS (a changed row holds both sides).
DIFF_CHARS = 64 * MiB

# Outputs
#: Rows of the tables that get a page of the website (meetings, commitments, people, topics,
#: instruments, organizations, sources) up to which `release` includes the site. Each such row
#: makes two pages (English and French), about 5 ms of rendering together on the project's
#: machine: 2,000 rows make ~4,000 pages and ~10 s, while the data release of that many rows
#: takes about a second, and the release's zip stays well under ZIP_MEMBERS (10,000 entries, what
#: `validate` and `load()` accept of a release zip). The real dataset has ~210 such rows. Above
#: it, `release` leaves the site out (its README says how to build it: `cbcf-data site`, which
#: has no such limit); `release --site` puts it in regardless.
SITE_RECORDS = 2_000
#: Rows of all tables kept in memory for the website while a release streams (the link tables
#: too: attendances, assessments… hold no page but every page lists them). 105,779 assessments
#: beside ~210 rows with pages took the release from 77 MB to 302 MB; the real dataset has ~500
#: rows in all. Above it, as above SITE_RECORDS, the site is left out unless `--site`.
SITE_ROWS = 20_000

# Archived source texts
#: Bytes of one archived text (`records/sources/<id>.txt`).
ARCHIVE_BYTES = 16 * MiB
#: Bytes of all archived texts of a dataset together (they are kept to check quotes).
ARCHIVES_BYTES = 256 * MiB

# JSON and YAML documents
#: Bytes of a meeting bundle or a `datapackage.json`.
DOCUMENT_BYTES = 20 * MiB
#: Values (objects, lists, strings, numbers…) in a bundle or descriptor.
DOCUMENT_NODES = 250_000
#: Bytes of a release's JSON document (`load` and `diff` read it).
RELEASE_DOCUMENT_BYTES = 96 * MiB
#: Values in a release's JSON document.
RELEASE_DOCUMENT_NODES = 4_000_000
#: Levels of nesting in any JSON or YAML document (a release document needs 7).
DEPTH = 32

# Release zips
#: Entries in a release zip (read from its end record before anything else).
ZIP_MEMBERS = 10_000
#: Bytes of a release zip's central directory (its list of entries).
ZIP_DIRECTORY_BYTES = 8 * MiB

# Writes
#: Bytes of the journal of an interrupted write (`.cbcf-journal.json`; a few hundred bytes a file).
JOURNAL_BYTES = 4 * MiB

# Reports
#: Issues a report keeps; further ones are counted, not kept.
ISSUES = 100_000
#: Characters of a message or hint; longer ones end in `…`.
MESSAGE_CHARS = 500
#: Characters of an offending value quoted in an issue.
VALUE_CHARS = 80

# Verdicts
#: A kept verdict on a dataset (check/verdict.py): a few hundred bytes; a larger file is ignored.
VERDICT_BYTES = 4096
#: Verdicts kept in the user's cache; the oldest beyond these are removed when one is written.
VERDICTS_KEPT = 64
