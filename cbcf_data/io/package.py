"""The data package on disk: where it is, its descriptor, and which file holds which table."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from cbcf_data.errors import UnusableInputError
from cbcf_data.io import limits

if TYPE_CHECKING:
    import zipfile

    from cbcf_data.io.readers import Budget

DESCRIPTOR = "datapackage.json"
#: Resources a release's descriptor adds beside the tables (not tables of the models).
RELEASE_EXTRAS = ("codelists", "status_crosswalk")
#: Folder of the tables inside the repository and the installed package.
RECORDS = "records"


def packaged_root() -> Path:
    """The folder holding the packaged `datapackage.json`: inside the wheel, or the checkout."""
    here = Path(__file__).resolve().parent.parent  # the cbcf_data package folder
    for root in (here / "_data", here.parent):
        if (root / DESCRIPTOR).is_file():
            return root
    raise UnusableInputError(f"the packaged dataset is missing: no {DESCRIPTOR} in {here / '_data'}")


def inside_package(path: Path) -> bool:
    """Whether path lies inside the installed cbcf_data package (the wheel's copy of the dataset)."""
    here, package = os.path.realpath(path), os.path.realpath(Path(__file__).parent.parent)
    return here == package or here.startswith(package + os.sep)


def enclosing_dataset(start: Path) -> Path | None:
    """The nearest folder from start upwards holding `datapackage.json` and `records/` (a
    checkout of the dataset), or None."""
    for folder in (start, *start.parents):
        if (folder / DESCRIPTOR).is_file() and (folder / RECORDS).is_dir():
            return folder
    return None


def descriptor_path(path: str | Path | None) -> Path:
    """The `datapackage.json` for a dataset folder or descriptor path (None: the packaged one)."""
    if path is None:
        return packaged_root() / DESCRIPTOR
    path = Path(path)
    if path.is_dir():
        path = path / DESCRIPTOR
    if not os.path.lexists(path):  # anything else that is there (a link, a FIFO) is refused by its reader
        raise UnusableInputError(f"{path}: no such file; give a dataset folder or its {DESCRIPTOR}")
    return path


def descriptor_of(path: Path) -> Path:
    """The descriptor file a dataset path means: `datapackage.json` inside a folder, else the path."""
    return path / DESCRIPTOR if path.is_dir() else path


def classify(path: str | Path) -> tuple[str, Path]:
    """What a dataset path is: ("zip", file), ("json", release document) or ("package", folder or
    descriptor) — a release folder is resolved to the data package in its csv/ folder."""
    file = Path(path)
    if not file.is_dir() and os.path.lexists(file):  # links and other non-files are refused by the readers
        if file.suffix.lower() == ".zip":
            return "zip", file
        if file.suffix.lower() == ".json" and file.name != DESCRIPTOR:
            return "json", file
    if file.is_dir() and not (file / DESCRIPTOR).exists() and (file / "csv" / DESCRIPTOR).exists():
        return "package", file / "csv"
    return "package", file


def read_descriptor(path: Path) -> dict[str, Any]:
    """The descriptor's JSON object, or UnusableInputError naming what is wrong with it (a
    regular file inside its folder, within the document limits)."""
    from cbcf_data.io.documents import parse_json
    from cbcf_data.io.files import ReadError, read_text

    try:
        descriptor = parse_json(read_text(path, limits.DOCUMENT_BYTES, path.parent))
    except ReadError as error:
        raise UnusableInputError(f"{path}: not a readable JSON data package descriptor ({error.message})") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise UnusableInputError(f"{path}: not a data package: it has no 'resources' list")
    return descriptor


def unsafe_reason(resource_path: object) -> str | None:
    """Why a resource path may not be followed (nothing is fetched, nothing outside the dataset)."""
    if not isinstance(resource_path, str) or not resource_path:
        return "the path is not a non-empty string"
    if "://" in resource_path:
        return "URLs are not followed: data must be local to the dataset"
    posix = PurePosixPath(resource_path)
    if posix.is_absolute() or "\\" in resource_path or (len(resource_path) > 1 and resource_path[1] == ":"):
        return "the path is absolute: give it relative to datapackage.json"
    if ".." in posix.parts:
        return "the path leaves the dataset folder ('..')"
    return None


def resource_paths(descriptor: dict[str, Any], root: Path) -> dict[str, Path]:
    """Table name -> CSV path for every resource that names a safe local file."""
    paths: dict[str, Path] = {}
    for resource in descriptor["resources"]:
        if not isinstance(resource, dict):
            continue
        name, path = resource.get("name"), resource.get("path")
        if isinstance(name, str) and unsafe_reason(path) is None:
            paths[name] = root / str(path)
    return paths


def read_release_zip(file: Path, budget: Budget) -> tuple[dict[str, Any], dict[str, str]]:
    """(descriptor, table name -> CSV text) of the data package inside a release zip.

    The package under a `csv/` folder is preferred; every resource must name a safe member. The zip
    must be a regular file of at most ZIP_MEMBERS entries; members that are links or encrypted are
    refused, and each is decompressed only up to what `budget` still allows.
    """
    import zipfile
    import zlib

    from cbcf_data.io.files import ReadError, open_file

    try:
        with open_file(file) as handle:
            check_zip_directory(handle)
            with zipfile.ZipFile(handle) as archive:
                return _read_package(archive, budget)
    except ReadError as error:
        raise UnusableInputError(f"{file}: {error.message}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
            UnicodeDecodeError, ValueError, KeyError, zlib.error) as error:
        raise UnusableInputError(f"{file}: not a readable release zip ({str(error)[:200]})") from None


def _read_package(archive: zipfile.ZipFile, budget: Budget) -> tuple[dict[str, Any], dict[str, str]]:
    from cbcf_data.io.documents import parse_json
    from cbcf_data.io.files import ReadError

    members = {info.filename: info for info in archive.infolist()}
    if len(members) != len(archive.infolist()):
        raise ReadError("zip-duplicate-member", "the zip names one file twice")
    found = sorted((n for n in members if n.endswith(DESCRIPTOR)), key=lambda n: ("/csv/" not in n, n))
    if not found:
        raise ReadError("zip-no-package", f"the zip holds no {DESCRIPTOR}")
    base = found[0][: -len(DESCRIPTOR)]
    descriptor = parse_json(member_bytes(archive, members[found[0]], limits.DOCUMENT_BYTES).decode("utf-8"))
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise ReadError("not-a-data-package", f"the zip's {DESCRIPTOR} has no 'resources' list")
    texts = {}
    for resource in descriptor["resources"]:
        name = resource.get("name") if isinstance(resource, dict) else None
        member = resource.get("path") if isinstance(resource, dict) else None
        if not isinstance(name, str) or not isinstance(member, str) or unsafe_reason(member) or base + member not in members:
            raise ReadError("zip-missing-member", f"no file for resource {str(name)[:60]!r}")
        data = member_bytes(archive, members[base + member], max(budget.bytes_left, 0))
        budget.spend_bytes(len(data))
        texts[name] = data.decode("utf-8")
    return descriptor, texts


#: The checksum file of a release folder (`sha256sum -c SHA256SUMS`).
CHECKSUMS = "SHA256SUMS"


def integrity_problem(resource: dict[str, Any], size: int, digest_of: Any) -> tuple[str, str] | None:
    """(code, message) when a resource's file differs from the `bytes` or `hash` its descriptor
    declares (a release's descriptor does); `digest_of(algorithm)` hashes the file. None when it
    agrees or declares nothing."""
    declared = resource.get("bytes")
    if isinstance(declared, int) and not isinstance(declared, bool) and declared != size:
        return "size-mismatch", f"the file is {size:,} bytes; the descriptor says {declared:,}"
    declared_hash = resource.get("hash")
    if isinstance(declared_hash, str) and declared_hash:
        algorithm, _, expected = declared_hash.rpartition(":")
        algorithm = algorithm.lower() or "md5"  # Data Package: a hash without a prefix is MD5
        import hashlib  # only when a hash is declared: a checkout's descriptor declares none

        if algorithm not in hashlib.algorithms_guaranteed:
            return "hash-mismatch", f"the descriptor's hash uses {algorithm!r}, which cannot be checked"
        actual = digest_of(algorithm)
        if actual != expected.lower():
            return "hash-mismatch", f"the file's {algorithm} is {actual}; the descriptor says {expected}"
    return None


def file_integrity(resource: dict[str, Any], path: Path) -> tuple[str, str] | None:
    """`integrity_problem` for a file on disk, read in chunks."""

    def digest_of(algorithm: str) -> str:
        import hashlib

        digest = hashlib.new(algorithm)
        with path.open("rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    return integrity_problem(resource, path.stat().st_size, digest_of)


def bytes_integrity(resource: dict[str, Any], data: bytes) -> tuple[str, str] | None:
    """`integrity_problem` for a file's bytes (a zip member)."""
    import hashlib

    return integrity_problem(resource, len(data), lambda algorithm: hashlib.new(algorithm, data).hexdigest())


def verify_checksums(folder: Path, only: set[str] | None = None) -> list[str]:
    """Paths listed in the folder's SHA256SUMS (or those of them in `only`) whose file is missing or
    differs; empty when all match or there is no SHA256SUMS."""
    listing = folder / CHECKSUMS
    if not listing.is_file():  # a dataset folder (`show`'s): hashlib is not imported
        return []
    import hashlib

    bad = []
    for line in listing.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if not name or (only is not None and name not in only) or unsafe_reason(name):
            continue
        file = folder / name
        if not file.is_file() or hashlib.sha256(file.read_bytes()).hexdigest() != digest.strip().lower():
            bad.append(name)
    return bad
def member_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A zip member's bytes, decompressed no further than `limit` (whatever its header says)."""
    import stat

    from cbcf_data.io.files import ReadError, refusal

    if info.flag_bits & 0x1:
        raise ReadError("zip-encrypted", f"{info.filename[:100]} is encrypted")
    mode = info.external_attr >> 16
    if stat.S_IFMT(mode) and not stat.S_ISREG(mode):  # no type at all: a zip made on Windows
        raise refusal(info.filename[:100], mode)
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ReadError("file-too-large", f"{info.filename[:100]} decompresses to more than {limit:,} bytes "
                        "(see README, Limits)")
    return data


def check_zip_directory(handle: Any) -> None:
    """ReadError when a zip's end record announces more than ZIP_MEMBERS entries or a central
    directory over ZIP_DIRECTORY_BYTES: checked before zipfile reads the directory into memory."""
    import struct

    from cbcf_data.io.files import ReadError

    size = handle.seek(0, os.SEEK_END)
    tail_size = min(size, 22 + 65535 + 20)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        raise ReadError("not-a-zip", "not a zip file (no end of central directory)")
    entries, directory = struct.unpack("<HI", tail[at + 10:at + 16])
    if (entries == 0xFFFF or directory == 0xFFFFFFFF) and at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":
        (offset,) = struct.unpack("<Q", tail[at - 12:at - 4])  # a zip64 end record holds the real counts
        handle.seek(offset)
        record = handle.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            entries, directory = struct.unpack("<QQ", record[32:48])
    handle.seek(0)
    if entries > limits.ZIP_MEMBERS:
        raise ReadError("zip-too-many-members", f"the zip holds {entries:,} entries; the limit is "
                        f"{limits.ZIP_MEMBERS:,} (see README, Limits)")
    if directory > limits.ZIP_DIRECTORY_BYTES:
        raise ReadError("zip-too-many-members", f"the zip's list of entries is {directory:,} bytes; the limit is "
                        f"{limits.ZIP_DIRECTORY_BYTES:,} (see README, Limits)")
