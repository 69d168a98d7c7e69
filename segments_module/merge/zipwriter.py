"""ZIP writers for merged letters: one .docx in memory, or a stream of many files.

`PackageWriter` writes one merged .docx. Python's zipfile compresses every entry
on each write. With Business Central's thank-you note that took 1.5 ms per letter,
most of it spent on parts that are the same in every letter (styles, theme,
images). Here the unchanged entries are compressed once, when the template is
compiled, and laid out at the start of the archive, so their local headers, data
and central directory records are the same bytes in every letter. Each letter only
deflates its merged parts. The .docx is a plain ZIP (no ZIP64, no data
descriptors, no encryption), which limits each entry and the whole package to
4 GiB: far above any Word template.

`StreamingZipWriter` writes an archive of any number of files, such as one .docx
per letter, with memory that does not grow with the number of entries. It adds
ZIP64 records where the archive needs them.

The record layouts follow PKWARE's APPNOTE.TXT 6.3.6. The local file header is
in section 4.3.7, the central directory header in 4.3.12, the end of central
directory record in 4.3.16 and the ZIP64 extended information extra field in 4.5.3.
The ZIP64 end of central directory record and locator are in 4.3.14 and 4.3.15.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_END_RECORD = struct.Struct("<IHHHHIIH")
_ZIP64_END_RECORD = struct.Struct("<IQHHIIQQQQ")
_ZIP64_END_LOCATOR = struct.Struct("<IIQI")
_ZIP64_OFFSET_EXTRA = struct.Struct("<HHQ")
_VERSION = 20  # 2.0: deflate
_ZIP64_VERSION = 45  # 4.5: ZIP64 format extensions
_UTF8_NAME_FLAG = 0x800
# 0xFFFFFFFF and 0xFFFF in a 32-bit or 16-bit field mean "see the ZIP64 record".
_MAX_SIZE = 0xFFFFFFFF
_MAX_ENTRIES = 0xFFFF
_MAX_NAME_BYTES = 0xFFFF
_COPY_BUFFER = 1024 * 1024
DEFLATED = 8
STORED = 0


@dataclass(frozen=True)
class _Entry:
    name: bytes
    flags: int
    method: int
    dos_time: int
    dos_date: int
    crc: int
    compressed_size: int
    size: int

    def local_header(self, version: int = _VERSION) -> bytes:
        return (
            _LOCAL_HEADER.pack(
                0x04034B50,
                version,
                self.flags,
                self.method,
                self.dos_time,
                self.dos_date,
                self.crc,
                self.compressed_size,
                self.size,
                len(self.name),
                0,
            )
            + self.name
        )

    def central_header(self, offset: int) -> bytes:
        """Build the central directory record of the entry at `offset`.

        An offset of 4 GiB or more goes into a ZIP64 extended information extra
        field, and the 32-bit field contains 0xFFFFFFFF.
        """
        version = _version_needed(offset)
        extra = b""
        if version == _ZIP64_VERSION:
            extra = _ZIP64_OFFSET_EXTRA.pack(0x0001, 8, offset)
            offset = _MAX_SIZE
        return (
            _CENTRAL_HEADER.pack(
                0x02014B50,
                version,
                version,
                self.flags,
                self.method,
                self.dos_time,
                self.dos_date,
                self.crc,
                self.compressed_size,
                self.size,
                len(self.name),
                len(extra),
                0,
                0,
                0,
                0,
                offset,
            )
            + self.name
            + extra
        )


def _version_needed(offset: int) -> int:
    return _ZIP64_VERSION if offset >= _MAX_SIZE else _VERSION


def _dos_date_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time[:6]
    year = min(max(year, 1980), 2107)
    return (
        (hour << 11) | (minute << 5) | (second // 2),
        ((year - 1980) << 9) | (month << 5) | day,
    )


def _compress(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _make_entry(
    name: str, data: bytes, date_time: tuple[int, ...], level: int, method: int
) -> tuple[_Entry, bytes]:
    if len(data) >= _MAX_SIZE:
        raise ValueError(
            f'Entry "{name}" is {len(data)} bytes: entries of 4 GiB or more are'
            " not supported."
        )
    payload = _compress(data, level) if method == DEFLATED else data
    if method == DEFLATED and len(payload) >= len(data):
        method, payload = STORED, data
    encoded = name.encode("utf-8")
    if len(encoded) > _MAX_NAME_BYTES:
        raise ValueError(
            f'Entry name "{name[:40]}..." is {len(encoded)} bytes in UTF-8: use a'
            f" name of at most {_MAX_NAME_BYTES} bytes."
        )
    flags = 0 if name.isascii() else _UTF8_NAME_FLAG
    dos_time, dos_date = _dos_date_time(date_time)
    entry = _Entry(
        encoded,
        flags,
        method,
        dos_time,
        dos_date,
        zlib.crc32(data),
        len(payload),
        len(data),
    )
    return entry, payload


class PackageWriter:
    """Write .docx archives that share a fixed set of entries.

    `fixed` entries are compressed once here at `fixed_level`. `write` then adds
    the varying entries, compressed at `level`, and returns the archive bytes.
    """

    def __init__(
        self,
        fixed: Iterable[tuple[str, bytes, tuple[int, ...]]],
        *,
        fixed_level: int = 6,
        level: int = 1,
    ) -> None:
        self._level = level
        blobs: list[bytes] = []
        directory: list[bytes] = []
        offset = 0
        count = 0
        for name, data, date_time in fixed:
            entry, payload = _make_entry(name, data, date_time, fixed_level, DEFLATED)
            header = entry.local_header()
            directory.append(entry.central_header(offset))
            blobs.append(header)
            blobs.append(payload)
            offset += len(header) + len(payload)
            count += 1
        self._fixed_data = b"".join(blobs)
        self._fixed_directory = b"".join(directory)
        self._fixed_count = count

    def write(self, varying: Iterable[tuple[str, bytes, tuple[int, ...]]]) -> bytes:
        pieces = [self._fixed_data]
        directory = [self._fixed_directory]
        offset = len(self._fixed_data)
        count = self._fixed_count
        for name, data, date_time in varying:
            entry, payload = _make_entry(name, data, date_time, self._level, DEFLATED)
            header = entry.local_header()
            directory.append(entry.central_header(offset))
            pieces.append(header)
            pieces.append(payload)
            offset += len(header) + len(payload)
            count += 1
        directory_bytes = b"".join(directory)
        if offset + len(directory_bytes) > _MAX_SIZE or count > _MAX_ENTRIES:
            raise ValueError(
                f"The merged document has {count} parts and {offset} bytes: more"
                " than a plain ZIP archive holds (65,535 parts, 4 GiB)."
            )
        end = _END_RECORD.pack(
            0x06054B50, 0, 0, count, count, len(directory_bytes), offset, 0
        )
        pieces.append(directory_bytes)
        pieces.append(end)
        return b"".join(pieces)


class StreamingZipWriter:
    """Write a ZIP archive entry by entry, with memory that does not grow with it.

    `add` writes each entry's local file header and data straight to the target
    and its central directory record to a temporary file, which `close` appends.
    Offsets are positions in the target (its `tell()` at the start plus the bytes
    written), as in Python's zipfile. A target that cannot tell counts from 0.

    `close` writes the ZIP64 end of central directory record and locator when
    there are 65,535 entries or more, or when the central directory starts at
    4 GiB or later or is 4 GiB or larger. An entry whose local header starts at
    4 GiB or later has its offset in a ZIP64 extra field. Each entry must be
    under 4 GiB. Entry names are not checked for duplicates.
    """

    def __init__(self, target: str | Path | BinaryIO) -> None:
        if isinstance(target, str | Path):
            self._stream: BinaryIO = open(target, "wb")
            self._owns_stream = True
        else:
            self._stream = target
            self._owns_stream = False
        try:
            self._offset = self._stream.tell()
        except OSError:
            self._offset = 0
        self._directory = tempfile.TemporaryFile()
        self._directory_size = 0
        self._entries = 0
        self._closed = False

    def __enter__(self) -> StreamingZipWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def entries(self) -> int:
        """The number of entries added so far."""
        return self._entries

    @property
    def closed(self) -> bool:
        return self._closed

    def add(
        self,
        name: str,
        data: bytes,
        date_time: tuple[int, ...] | None = None,
        *,
        method: int = STORED,
        level: int = 6,
    ) -> None:
        """Write one entry, STORED or, with `method=DEFLATED`, deflated at `level`.

        A deflated entry that would not be smaller is STORED. `date_time` is
        (year, month, day, hour, minute, second) in local time, by default the
        current time. Raises ValueError for an entry of 4 GiB or more, a name of
        more than 65,535 bytes in UTF-8, or a closed writer.
        """
        if self._closed:
            raise ValueError(
                f'Cannot add "{name}": the ZIP archive is closed. Add every entry'
                " before calling close()."
            )
        if date_time is None:
            date_time = time.localtime()[:6]
        entry, payload = _make_entry(name, data, date_time, level, method)
        header = entry.local_header(_version_needed(self._offset))
        record = entry.central_header(self._offset)
        self._stream.write(header)
        self._stream.write(payload)
        self._directory.write(record)
        self._offset += len(header) + len(payload)
        self._directory_size += len(record)
        self._entries += 1

    def close(self) -> None:
        """Append the central directory and the end records, then close the files.

        The target stays open when it was given as a stream. Closing twice does
        nothing.
        """
        if self._closed:
            return
        self._closed = True
        try:
            self._write_directory()
        finally:
            self._directory.close()
            if self._owns_stream:
                self._stream.close()

    def _write_directory(self) -> None:
        directory_offset = self._offset
        self._directory.seek(0)
        shutil.copyfileobj(self._directory, self._stream, _COPY_BUFFER)
        end_offset = directory_offset + self._directory_size
        needs_zip64 = (
            self._entries >= _MAX_ENTRIES
            or directory_offset >= _MAX_SIZE
            or self._directory_size >= _MAX_SIZE
        )
        if needs_zip64:
            self._stream.write(
                _ZIP64_END_RECORD.pack(
                    0x06064B50,
                    # Size of the record after its signature and this field.
                    _ZIP64_END_RECORD.size - 12,
                    _ZIP64_VERSION,
                    _ZIP64_VERSION,
                    0,
                    0,
                    self._entries,
                    self._entries,
                    self._directory_size,
                    directory_offset,
                )
            )
            self._stream.write(_ZIP64_END_LOCATOR.pack(0x07064B50, 0, end_offset, 1))
        entries = min(self._entries, _MAX_ENTRIES)
        self._stream.write(
            _END_RECORD.pack(
                0x06054B50,
                0,
                0,
                entries,
                entries,
                min(self._directory_size, _MAX_SIZE),
                min(directory_offset, _MAX_SIZE),
                0,
            )
        )
        self._stream.flush()
