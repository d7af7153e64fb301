"""What a file is, read from its bytes; the name and the type the client claims are ignored.

Each accepted type is recognised by its own signature (magic bytes), images are also decoded by
Pillow, Office files opened as zips. Whatever matches nothing here (an executable renamed .jpg,
HTML, SVG, a script) is not a type we know and is refused by the caller.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from typing import IO

from PIL import Image

HEAD = 64
# Plain text is judged on its first part: a text file is valid UTF-8 (or GB18030, what Chinese
# Windows writes) without control characters.
TEXT_SAMPLE = 64 * 1024


@dataclass(frozen=True)
class Detected:
    content_type: str
    extension: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


PNG = Detected("image/png", ".png")
JPEG = Detected("image/jpeg", ".jpg")
GIF = Detected("image/gif", ".gif")
WEBP = Detected("image/webp", ".webp")
PDF = Detected("application/pdf", ".pdf")
DOCX = Detected("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLSX = Detected("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
MP3 = Detected("audio/mpeg", ".mp3")
WAV = Detected("audio/wav", ".wav")
AMR = Detected("audio/amr", ".amr")
M4A = Detected("audio/mp4", ".m4a")
TEXT = Detected("text/plain", ".txt")

# A photo from any phone is under 50 megapixels. A larger image is refused: a small PNG can
# decode to gigabytes (a decompression bomb), and the thumbnail would have to decode it.
MAX_PIXELS = 50_000_000

_PILLOW_FORMATS = {"PNG": PNG, "JPEG": JPEG, "GIF": GIF, "WEBP": WEBP}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"isom", b"3gp4", b"3gp5"}
# Bytes that mark markup or a script even in a file that is otherwise text: served as an
# attachment they would be harmless, but nobody sends the desk a web page as evidence.
_MARKUP_STARTS = (b"<", b"#!", b"\xef\xbb\xbf<")


def _image(file: IO[bytes]) -> Detected | None:
    file.seek(0)
    try:
        with Image.open(file) as image:
            detected = _PILLOW_FORMATS.get(image.format or "")
            if detected is None or image.width * image.height > MAX_PIXELS:
                return None
            image.verify()
    except Exception:  # noqa: BLE001 - any decoder error (truncated, a decompression bomb) means "not an image"
        return None
    return detected


def _ooxml(file: IO[bytes]) -> Detected | None:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _mp3(head: bytes) -> bool:
    if head.startswith(b"ID3"):
        return True
    # An MPEG audio frame: 11 sync bits, a version that is not "reserved" and layer III.
    return (
        len(head) >= 2
        and head[0] == 0xFF
        and (head[1] & 0xE0) == 0xE0
        and (head[1] & 0x06) == 0x02
        and (head[1] & 0x18) != 0x08
    )


def _text(file: IO[bytes]) -> bool:
    file.seek(0)
    sample = file.read(TEXT_SAMPLE)
    if not sample or sample.lstrip().startswith(_MARKUP_STARTS):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # Incremental: a multi-byte character cut at the end of the sample is still text.
            text = codecs.getincrementaldecoder(encoding)().decode(sample, final=len(sample) < TEXT_SAMPLE)
        except UnicodeDecodeError:
            continue
        return not any(ch < " " and ch not in "\t\n\r\f" for ch in text)
    return False


def detect(file: IO[bytes]) -> Detected | None:
    """The type of `file` from its content, or None when it is none of the types we know."""
    file.seek(0)
    head = file.read(HEAD)
    detected = None
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        detected = _image(file)
    elif head.startswith(b"%PDF-"):
        detected = PDF
    elif head.startswith(b"PK\x03\x04"):
        detected = _ooxml(file)
    elif head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        detected = WAV
    elif head.startswith(b"#!AMR\n"):
        detected = AMR
    elif head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        detected = M4A
    elif _mp3(head):
        detected = MP3
    elif _text(file):
        detected = TEXT
    file.seek(0)
    return detected
