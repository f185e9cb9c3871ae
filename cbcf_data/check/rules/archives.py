"""Rules on archived source texts: each file exists, inside the dataset, with its recorded hash;
each quote is exactly the text at its offsets; no archived file lacks its source row."""

from __future__ import annotations

import hashlib
import itertools
import operator
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cbcf_data.check.report import Where
from cbcf_data.io import limits
from cbcf_data.io.files import ReadError, read_bytes, real_folder

if TYPE_CHECKING:
    from cbcf_data.model.tables import Commitment, Source

#: Wrong quotes whose text is searched for where they do occur (a search scans the whole text).
HINTED = 50


class Archives:
    """archive-missing, hash-mismatch, quote-mismatch, quote-without-archive, archive-unlisted."""

    CHECKS = ("archive-missing", "hash-mismatch", "archive-unlisted", "quote-mismatch", "quote-without-archive")

    def __init__(self, emit: Callable[..., None], tables_root: Path | None, dataset_root: Path | None = None) -> None:
        self.emit = emit
        self.tables_root = tables_root
        #: Archived texts are opened below this folder, never through a link (`cbcf_data.io.files`).
        self.root = dataset_root or tables_root
        #: Source ID -> its archived text (None: the source has no archive).
        self.texts: dict[str, str | None] = {}
        self.source_ids: set[str] = set()
        #: Bytes the texts kept for the quote checks may still take (ARCHIVES_BYTES).
        self.bytes_left = limits.ARCHIVES_BYTES
        #: Wrong quotes searched for in their text so far (for the hint of where they occur).
        self.searched = 0

    def _sources(self, source: Source, where: Any) -> None:
        self.source_ids.add(source.id)
        if source.archive_path is None:
            self.texts[source.id] = None  # no archived text: quoting it is wrong
            return
        if self.tables_root is None:  # the archived text is not at hand (a release's JSON alone): not judged
            return
        path = self.tables_root / source.archive_path
        data = self._read(path, source, where)
        if data is None:
            self.texts.pop(source.id, None)  # unknown text: quotes of it cannot be judged
            return
        digest = hashlib.sha256(data).hexdigest()
        if digest != source.sha256:
            self.emit("hash-mismatch", f"the SHA-256 of {source.archive_path} does not match sha256", where,
                      field="sha256", record_id=source.id, value=source.sha256,
                      hint=f"the file's SHA-256 is {digest}; if the file is right, record that hash")
        self.bytes_left -= len(data)
        if self.bytes_left < 0:
            self.texts.pop(source.id, None)
            self.emit("archives-too-large", f"the archived texts are more than {limits.ARCHIVES_BYTES:,} bytes together; "
                      f"quotes of {source.id} are not judged (see README, Limits)", where, field="archive_path",
                      record_id=source.id, value=source.archive_path)
            return
        self.texts[source.id] = data.decode("utf-8", errors="replace")

    def _read(self, path: Path, source: Source, where: Any) -> bytes | None:
        """The archived file's bytes: a regular file inside the dataset, within ARCHIVE_BYTES; None
        (with an issue) otherwise."""
        if not os.path.lexists(path):
            self.emit("archive-missing", f"the archived text {source.archive_path} is not in the dataset", where,
                      field="archive_path", record_id=source.id, value=source.archive_path,
                      hint=f"put the source's text at {source.archive_path} next to the tables, or empty archive_path and sha256")
            return None
        try:
            return read_bytes(path, limits.ARCHIVE_BYTES, self.root)
        except ReadError as error:
            self.emit(error.code, f"the archived text {source.archive_path}: {error.message}", where,
                      field="archive_path", record_id=source.id, value=source.archive_path, hint=error.hint)
            return None

    def _commitments(self, commitment: Commitment, where: Any) -> None:
        quote = commitment.quote
        if quote is not None:
            text = self.texts.get(commitment.source_id)
            if text is None or text[commitment.quote_start:commitment.quote_end] != quote:
                self._check_quote(commitment, text, where)

    def batch_handler(self, table: str) -> Callable[[dict[str, Any], str, Sequence[int]], bool] | None:
        """`_commitments` for a batch of commitments at once, taken when every quote is its archived
        text at its offsets (see `Rules.batch_feeders`); declined otherwise, to be told row by row."""
        return self._commitments_batch if table == "commitments" else None

    def _commitments_batch(self, columns: dict[str, Any], path: str, lines: Sequence[int]) -> bool:
        quotes, sources, starts, ends = columns["quote"], columns["source_id"], columns["quote_start"], columns["quote_end"]
        if None in quotes:  # the rows without a quote have nothing to check
            quoted = list(map(operator.is_not, quotes, itertools.repeat(None)))
            quotes, sources, starts, ends = (list(itertools.compress(column, quoted))
                                             for column in (quotes, sources, starts, ends))
        texts: list[Any] = list(map(self.texts.get, sources))
        return None not in texts and all(map(operator.eq, map(operator.getitem, texts, map(slice, starts, ends)), quotes))

    def _check_quote(self, commitment: Commitment, text: str | None, where: Any) -> None:
        """Report a quote whose source text is not archived, or that the text does not hold there."""
        if text is None:
            if commitment.source_id in self.texts:
                self.emit("quote-without-archive",
                          f"the commitment quotes source {commitment.source_id}, whose text is not archived",
                          where, field="quote", record_id=commitment.id, value=commitment.quote,
                          hint="quote only archived sources: empty quote, quote_start and quote_end, or archive the text")
            return
        found = text[commitment.quote_start:commitment.quote_end]
        self.searched += 1  # each search scans a whole text: only the first HINTED are searched
        position = text.find(commitment.quote) if self.searched <= HINTED else -1  # type: ignore[arg-type]
        hint = (f"the quote occurs at quote_start={position}, quote_end={position + len(commitment.quote)}"  # type: ignore[arg-type]
                if position >= 0 else "copy the quote character for character from the archived text")
        self.emit("quote-mismatch",
                  f"the archived text at {commitment.quote_start}:{commitment.quote_end} reads {found[:60]!r}, not the quote",
                  where, field="quote", record_id=commitment.id, value=commitment.quote, hint=hint)

    def finish(self, source_ids: Iterable[str] = ()) -> None:
        """Warn about archived files that no source row names."""
        folder = self.tables_root / "sources" if self.tables_root else None
        if folder is None or self.root is None or not real_folder(folder, self.root):
            return  # no folder, or one reached through a link: nothing outside the dataset is listed
        listed = {f"sources/{key}.txt" for key in set(source_ids) | self.source_ids}
        for path in sorted(folder.iterdir()):
            if f"sources/{path.name}" not in listed:
                self.emit("archive-unlisted", f"sources/{path.name} is archived but no source row names it",
                          Where(str(path), "sources"), severity="warning", value=path.name,
                          hint="add its row to sources.csv with archive_path and sha256, or remove the file")
