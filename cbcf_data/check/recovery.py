"""Before layer 1: the dataset is read under its lock, after an interrupted write was finished or
undone; what that did, and any temporary file still lying in the dataset, become issues."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from cbcf_data.check.report import Where
from cbcf_data.check.state import Run, Stop
from cbcf_data.errors import UnusableInputError
from cbcf_data.io import journal, locking, writes


@contextmanager
def reading_dataset(run: Run, descriptor_file: Path) -> Iterator[None]:
    """Read the dataset of descriptor_file in the block under its shared lock; report recovery."""
    root = descriptor_file.parent
    if not descriptor_file.is_file():
        yield
        return
    run.report.checks.add("interrupted-writes")
    with ExitStack() as stack:
        try:
            recovery = stack.enter_context(writes.reading(root, quiet=True))
        except UnusableInputError:  # the lock file is a link or not a file: nothing is read
            run.unusable("unsafe-lock-file", f"{locking.LOCK_NAME} {locking.UNSAFE_LOCK}", str(root / locking.LOCK_NAME),
                         hint=locking.UNSAFE_LOCK_HINT)
            raise Stop from None
        for line in recovery.done:
            run.emit("write-recovered", line, Where(str(root), None), severity="warning",
                     hint="check that the tables hold what you expect (e.g. `git diff`)")
        if recovery.problem:
            where = str(root / journal.JOURNAL_NAME)  # said once, as the place
            run.emit("interrupted-write", recovery.problem.removeprefix(f"{where}: "), Where(where, None),
                     hint="the tables may hold part of a change: run any cbcf-data command that can write here")
        yield


def report_leftovers(run: Run, root: Path, paths: Iterable[Path]) -> None:
    """A warning for each temporary file of an interrupted write still in the dataset's folders."""
    folders = [*(root / name for name in writes.KNOWN_FOLDERS), *(path.parent for path in paths)]
    for leftover in journal.leftovers(root, folders, legacy=True):
        run.emit("leftover-temp-file", f"{leftover.name} is a temporary file left by an interrupted write",
                 Where(str(leftover), None), severity="warning",
                 hint="delete it: the tables do not use it (cbcf-data removes its own when it can write here)")
