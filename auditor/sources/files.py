"""Walking the paths to scan: what is a file to read, what is skipped and why."""

from __future__ import annotations

import codecs
import errno
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from auditor.errors import UsageError
from auditor.model import SkippedSource

ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".auditor", "__pycache__", ".venv", "node_modules"})
SNIFF_BYTES = 8192
_READ_BLOCK = 1 << 20

FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".py": "python",
}
CODE_EXTENSIONS = frozenset(
    ".js .mjs .cjs .ts .tsx .jsx .java .kt .go .rb .php .cs .swift .rs .c .h .cc .cpp .hpp .scala".split()
)


@dataclass(frozen=True, slots=True)
class FileToScan:
    """A regular file that passed the walk: its real path, its name in reports, its size."""

    path: str
    display: str
    size: int
    format: str
    encoding: str = "utf-8-sig"  # "utf-16" or "utf-32" when the file opens with their BOM


# Byte-order marks, longest first: a UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def display_path(path: str | Path) -> str:
    """A path as reports show it: bytes that are not UTF-8 as ``\\xNN``, control characters
    (a new line that would forge an output line) as escapes."""
    raw = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in raw)


def format_of(path: str) -> str:
    """The reader a file goes to, by its name."""
    suffix = Path(path).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if suffix in CODE_EXTENSIONS:
        return "code"
    return "text"


class _IgnoreRules:
    """.gitignore files from the repository root down, and --exclude globs."""

    def __init__(self, root: Path, exclude: tuple[str, ...], respect_gitignore: bool) -> None:
        self.root = root
        self.exclude = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
        self.respect_gitignore = respect_gitignore
        self.specs: dict[Path, pathspec.GitIgnoreSpec] = {}
        if respect_gitignore:
            for ancestor in _ancestors_to_repo_root(root):
                self._load(ancestor)

    def _load(self, directory: Path) -> None:
        gitignore = directory / ".gitignore"
        try:
            lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        self.specs[directory] = pathspec.GitIgnoreSpec.from_lines(lines)

    def enter(self, directory: Path) -> None:
        if self.respect_gitignore and directory not in self.specs:
            self._load(directory)

    def ignored(self, path: Path, is_dir: bool) -> bool:
        suffix = "/" if is_dir else ""
        if self.exclude is not None:
            relative = path.relative_to(self.root).as_posix() if path != self.root else path.name
            if self.exclude.match_file(relative + suffix) or self.exclude.match_file(path.name + suffix):
                return True
        # The deepest .gitignore that has an opinion decides, as in git.
        for directory in sorted(self.specs, key=lambda d: len(d.parts), reverse=True):
            if directory == path or directory not in path.parents:
                continue
            result = self.specs[directory].check_file(path.relative_to(directory).as_posix() + suffix)
            if result.include is not None:
                return bool(result.include)
        return False


def _ancestors_to_repo_root(root: Path) -> list[Path]:
    """The root and its parents up to the enclosing git work tree (none past it)."""
    chain = [root]
    for parent in root.parents:
        if (chain[-1] / ".git").exists():
            break
        chain.append(parent)
    else:
        return [root]
    return list(reversed(chain))


def iter_files(
    roots: list[str], exclude: tuple[str, ...], respect_gitignore: bool, max_bytes: int
) -> Iterator[FileToScan | SkippedSource]:
    """Every file under the roots, or the reason it was not read. Roots must exist."""
    for root in roots:
        if not os.path.lexists(root):
            raise UsageError(f"no such file or directory: {root}")
    for root in roots:
        root_path = Path(root)
        if root_path.is_dir():
            rules = _IgnoreRules(root_path.resolve(), exclude, respect_gitignore)
            yield from _walk(root_path, root_path.resolve(), rules, max_bytes, set())
        else:  # named explicitly: scanned even if ignored
            yield _check_file(root_path, display_path(root_path), max_bytes)


def _walk(
    directory: Path, real: Path, rules: _IgnoreRules, max_bytes: int, seen: set[tuple[int, int]]
) -> Iterator[FileToScan | SkippedSource]:
    try:
        stat = os.stat(directory)
    except OSError as exc:
        yield SkippedSource(display_path(directory), _reason(exc))
        return
    identity = (stat.st_dev, stat.st_ino)
    if identity in seen:
        yield SkippedSource(display_path(directory), "symlink loop: directory already visited")
        return
    seen = seen | {identity}
    rules.enter(real)
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        yield SkippedSource(display_path(directory), _reason(exc))
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows symlinks
        except OSError as exc:
            yield SkippedSource(display_path(path), _reason(exc))
            continue
        if is_dir and entry.name in ALWAYS_SKIPPED_DIRS:
            continue
        if rules.ignored(real / entry.name, is_dir):
            continue
        if entry.is_symlink() and not os.path.exists(entry.path):
            try:
                os.stat(entry.path)
            except OSError as exc:
                yield SkippedSource(display_path(path), _reason(exc))
            continue
        if is_dir:
            yield from _walk(path, real / entry.name, rules, max_bytes, seen)
        else:
            yield _check_file(path, display_path(path), max_bytes)


def _check_file(path: Path, display: str, max_bytes: int) -> FileToScan | SkippedSource:
    """A file is read only if it is regular, within the size limit, UTF-8 text."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        return SkippedSource(display, _reason(exc))
    if not os.path.isfile(path):
        return SkippedSource(display, "not a regular file")
    if stat.st_size > max_bytes:
        return SkippedSource(display, f"larger than the size limit ({stat.st_size:,} bytes > {max_bytes:,})")
    try:
        encoding = _encoding_by_bom(path)
        problem = _text_problem(path, encoding)
    except OSError as exc:
        return SkippedSource(display, _reason(exc))
    if problem:
        return SkippedSource(display, problem)
    return FileToScan(str(path), display, stat.st_size, format_of(display), encoding)


def _encoding_by_bom(path: Path) -> str:
    """UTF-16 or UTF-32 when the file starts with their byte-order mark, else UTF-8."""
    with open(path, "rb") as handle:
        return encoding_by_bom(handle.read(4))


def encoding_by_bom(head: bytes) -> str:
    """The encoding a file's first bytes announce: UTF-16 or UTF-32 by their byte-order mark,
    else UTF-8 (``utf-8-sig``: a UTF-8 mark is dropped)."""
    return next((name for bom, name in _BOMS if head.startswith(bom)), "utf-8-sig")


def _text_problem(path: Path, encoding: str = "utf-8-sig") -> str | None:
    """Why a file is not text in its encoding, or None. Streams the file; never holds it whole."""
    with open(path, "rb") as handle:
        return text_problem(iter(lambda: handle.read(_READ_BLOCK), b""), encoding)


def text_problem(blocks: Iterable[bytes], encoding: str = "utf-8-sig") -> str | None:
    """Why the bytes of a file, block by block, are not text in ``encoding``, or None."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    wide = encoding != "utf-8-sig"  # UTF-16/32 text is full of NUL bytes
    offset = 0
    for block in blocks:
        if offset == 0 and not wide and b"\x00" in block[:SNIFF_BYTES]:
            return "binary file (NUL bytes)"
        try:
            decoder.decode(block)
        except UnicodeDecodeError as exc:
            return f"not {_name(encoding)} text: undecodable byte at offset {offset + exc.start}"
        offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return f"not {_name(encoding)} text: truncated character at end of file (offset {offset})"
    return None


def _name(encoding: str) -> str:
    return encoding.removesuffix("-sig").upper()


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.EACCES or isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == errno.ENOENT:
        return "broken symlink or vanished file"
    return f"cannot read: {exc.strerror or exc}"
