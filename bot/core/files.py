"""Files people sent, as every feature sees them: fetched bytes, or `FileUnavailable`; and what a
file really is, read from its bytes (`sniff`) — never from the name or type the sender declared.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024  # the Bot API's download limit; a scan or a photo fits

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx", XLSX: ".xlsx"}
# an Office Open XML package: a ZIP whose [Content_Types].xml names its main part
_OOXML_MAIN = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}


class FileUnavailable(Exception):
    """A file that cannot be fetched any more (deleted, expired, unknown to this bot)."""


@dataclass(frozen=True)
class FileKind:
    mime_type: str
    extension: str


def _ooxml(data: bytes) -> str | None:
    """DOCX or XLSX when `data` is a ZIP holding [Content_Types].xml and the main part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((mime for mime, part in _OOXML_MAIN.items() if part in names), None)


def sniff(data: bytes, accept: frozenset[str] | set[str] = frozenset(EXTENSIONS)) -> \
        FileKind | None:
    """What the bytes are (magic numbers, via `filetype`), if one of `accept`; else None."""
    import filetype  # small, pure Python; imported when a file is first checked

    kind = filetype.guess(data[:8192])
    mime = kind.mime if kind is not None else None
    if mime == "application/zip" or (mime in _OOXML_MAIN) or data[:4] == b"PK\x03\x04":
        mime = _ooxml(data)
    if mime not in accept or mime not in EXTENSIONS:
        return None
    return FileKind(mime, EXTENSIONS[mime])


_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_name(name: str | None, kind: FileKind, fallback: str = "file") -> str:
    """A file name for what the bytes are: the sender's name without any of its extensions
    ("setup.pdf.scr" → "setup"), then the checked type's ("setup.pdf")."""
    stem = PurePath((name or "").replace("\\", "/")).name
    while _SUFFIX.search(stem):
        stem = _SUFFIX.sub("", stem)
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:80] or fallback
    return stem + kind.extension
