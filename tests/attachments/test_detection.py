"""The type comes from the bytes, never the name."""

import io

import pytest

from attachments.detection import detect
from tests.attachments import files


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (files.png_bytes(), "image/png"),
        (files.jpeg_bytes(), "image/jpeg"),
        (files.PDF, "application/pdf"),
        (files.docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (files.WAV, "audio/wav"),
        (files.AMR, "audio/amr"),
        (files.MP3, "audio/mpeg"),
        (files.M4A, "audio/mp4"),
        (files.TEXT, "text/plain"),
        ("投诉内容".encode("gb18030"), "text/plain"),
    ],
)
def test_each_accepted_type_is_recognised_by_its_content(content, expected):
    assert detect(io.BytesIO(content)).content_type == expected


@pytest.mark.parametrize(
    "content",
    [files.EXE, files.HTML, files.SVG, b"#!/bin/sh\nrm -rf /\n", b"\x00\x01\x02binary", b"PK\x03\x04broken zip"],
    ids=["exe", "html", "svg", "script", "binary", "bad-zip"],
)
def test_executables_markup_and_scripts_are_no_known_type(content):
    assert detect(io.BytesIO(content)) is None


def test_a_truncated_png_is_not_an_image():
    assert detect(io.BytesIO(files.png_bytes()[:60])) is None


def test_an_image_over_the_pixel_limit_is_refused(monkeypatch):
    from attachments import detection

    monkeypatch.setattr(detection, "MAX_PIXELS", 100)
    assert detect(io.BytesIO(files.png_bytes((20, 20)))) is None
