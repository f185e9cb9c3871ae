"""Every limit on reading input, in one place (README "Guarantees" → "Limits" lists them).

Input is untrusted: a contributed bundle, a downloaded release, a pull request's records. Each
limit is checked before the memory it guards is spent — a file's size before it is read, a
zip member's bytes as they are decompressed, a document's values before it is parsed, a CSV
record's characters as its lines arrive — and reading stops there with a located issue (or
`UnusableInputError`). Under these limits no command needs much more than 1 GB of memory.

Each is far above what the real dataset needs (a few hundred rows; a bundle of a few kB).
"""

from __future__ import annotations

MiB = 1024 * 1024

# CSV tables
#: Characters in one CSV cell (the longest field allows 4,000).
CELL_CHARS = 100_000
#: Characters in one CSV record, all its lines together.
RECORD_CHARS = 1_000_000
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
#: Bytes of table files held in memory at once as records or cells: `load()` and the commands on
#: it (`show`, `export`, `import`, `release`) and each side of `diff`. The 100,000-commitment
#: benchmark dataset (37 MB, 284,202 rows) loads in 470 MB and releases in 800 MB.
LOAD_BYTES = 64 * MiB
#: Rows held in memory at once, as for LOAD_BYTES.
LOAD_ROWS = 400_000

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
