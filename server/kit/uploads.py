"""An upload's bytes as they arrive: the raw body (text/csv), or the `file` part of a
multipart form, parsed incrementally. Never buffered whole: Litestar's own form parsing
reads the entire body into memory."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from multipart import MultipartSegment, ParserError, PushMultipartParser, parse_options_header

from server.kit.errors import BadRequest, InvalidInput


class Upload:
    """The bytes of an upload and its file name, known once the part header has passed
    (for multipart) — so read it after the body."""

    body: AsyncIterator[bytes]

    def __init__(self, body: AsyncIterator[bytes] | None = None, file_name: str | None = None):
        if body is not None:
            self.body = body
        self.file_name = file_name


async def _multipart_file(
    request: Request[Any, Any, Any], boundary: str, upload: Upload
) -> AsyncIterator[bytes]:
    parser = PushMultipartParser(boundary, max_header_size=8192, max_header_count=16)
    in_file = False
    found = False
    try:
        async for piece in request.stream():
            for event in parser.parse(piece):
                if isinstance(event, MultipartSegment):
                    in_file = event.name == "file"
                    if in_file:
                        found = True
                        upload.file_name = event.filename
                elif event is None:
                    in_file = False
                elif in_file:
                    yield bytes(event)
        for event in parser.parse(b""):
            if in_file and isinstance(event, bytes | bytearray):
                yield bytes(event)
    except ParserError as error:
        raise BadRequest(f"malformed multipart body: {error}", code="malformed_body") from None
    finally:
        parser.close(check_complete=False)
    if not found:
        raise InvalidInput.field("file", "the form has no part named file")


def _raw_file_name(request: Request[Any, Any, Any]) -> str | None:
    disposition = request.headers.get("content-disposition")
    if disposition:
        _, options = parse_options_header(disposition)
        name: str | None = options.get("filename")
        return name
    return request.query_params.get("file_name")


def read_upload(request: Request[Any, Any, Any]) -> Upload:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type == "multipart/form-data":
        boundary = options.get("boundary")
        if not boundary:
            raise BadRequest("multipart body without a boundary", code="malformed_body")
        upload = Upload()
        upload.body = _multipart_file(request, boundary, upload)
        return upload
    return Upload(body=request.stream(), file_name=_raw_file_name(request))


def clean_file_name(raw: str | None) -> str | None:
    """Only the last path segment, without control or format characters: a name is
    shown, never used as a path, but `../../x`, a NUL byte, or a right-to-left override
    (U+202E, which shows "report<U+202E>gpj.exe" as "reportexe.jpg") are stripped all
    the same, and `.` or `..` are no name."""
    if not raw:
        return None
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf"))
    name = name.strip()[:255]
    return None if name.strip(".") == "" else name
