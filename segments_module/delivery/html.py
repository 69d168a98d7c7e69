"""Conversion of merged Word letters to HTML and plain-text e-mail bodies.

mammoth converts the body of the document only, so page headers, page footers and
most layout are dropped. A letter with its letterhead in a page header loses it in the
e-mail body. Send such letters as attachments.
"""

from __future__ import annotations

import html
import io
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import make_msgid
from html.parser import HTMLParser
from typing import Any
from xml.parsers.expat import ExpatError

import mammoth

logger = logging.getLogger(__name__)

# Elements after which the plain text starts a new paragraph.
_BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})


@dataclass(frozen=True)
class InlineImage:
    """An image of the letter, sent as a related MIME part and referenced by cid:."""

    content_id: str  # without the angle brackets of the Content-ID header
    content_type: str
    data: bytes


@dataclass(frozen=True)
class LetterBody:
    """The HTML document, its plain-text version and the images the HTML references."""

    html: str
    text: str
    images: tuple[InlineImage, ...] = ()


def docx_to_html(docx_bytes: bytes, *, title: str = "") -> str:
    """Convert a .docx document to a whole HTML document with a UTF-8 meta tag.

    Images are embedded as data: URIs. Raises ValueError when the bytes are not a
    readable .docx file.
    """
    fragment = _convert_to_fragment(docx_bytes, mammoth.images.data_uri)
    return _wrap_document(fragment, title)


def convert_letter(
    docx_bytes: bytes, *, title: str = "", image_domain: str = "segments.local"
) -> LetterBody:
    """Convert a .docx letter to an HTML and a plain-text e-mail body.

    The HTML references each image as cid:<content id>, because many mail clients
    block data: URIs. The caller attaches the returned images as related parts.
    Raises ValueError when the bytes are not a readable .docx file.
    """
    images: list[InlineImage] = []

    def attach_image(image: Any) -> dict[str, str]:
        with image.open() as stream:
            data = stream.read()
        content_id = make_msgid(idstring=f"image{len(images) + 1}", domain=image_domain)
        content_id = content_id[1:-1]
        images.append(InlineImage(content_id, image.content_type, data))
        return {"src": f"cid:{content_id}"}

    convert_image = mammoth.images.img_element(attach_image)
    fragment = _convert_to_fragment(docx_bytes, convert_image)
    return LetterBody(
        html=_wrap_document(fragment, title),
        text=html_to_text(fragment),
        images=tuple(images),
    )


# Marks a field slot in the placeholder letter that LetterBodyTemplate converts.
# Private-use characters never occur in a merged value's formatting and pass
# through mammoth unchanged.
_SLOT_START = "\ue000"
_SLOT_END = "\ue001"
_SLOT = re.compile(f"{_SLOT_START}(\\d+){_SLOT_END}")


class LetterBodyTemplate:
    """An e-mail body for every letter of one Word template, converted once.

    mammoth needs a few hundred milliseconds per document, so converting each
    merged letter would dominate a delivery. Instead the template is rendered once
    with a placeholder in each field slot and converted, and each letter's body
    is that HTML and text with the placeholders replaced by the letter's values.
    """

    def __init__(self, template: Any, *, image_domain: str = "segments.local"):
        placeholders = [
            f"{_SLOT_START}{slot}{_SLOT_END}" for slot in range(len(template.fields))
        ]
        self._template = template
        self._letter = convert_letter(
            template.render_texts(placeholders), image_domain=image_domain
        )
        self._fragment = _body_fragment(self._letter.html)

    def body(
        self, values: Any, *, locale: str = "en", title: str = ""
    ) -> tuple[LetterBody, list[str]]:
        """Return the body of the letter with `values`, and the merge warnings."""
        texts, warnings = self._template.formatted_values(values, locale)

        def html_value(match: re.Match[str]) -> str:
            return html.escape(texts[int(match.group(1))]).replace("\n", "<br />")

        def text_value(match: re.Match[str]) -> str:
            return texts[int(match.group(1))]

        fragment = _SLOT.sub(html_value, self._fragment)
        body = LetterBody(
            html=_wrap_document(fragment, title),
            text=_SLOT.sub(text_value, self._letter.text),
            images=self._letter.images,
        )
        return body, warnings


def _body_fragment(document: str) -> str:
    """Return what _wrap_document put between <body> and </body>."""
    start = document.index("<body>\n") + len("<body>\n")
    end = document.rindex("\n</body>")
    return document[start:end]


def html_to_text(fragment: str) -> str:
    """Render mammoth's HTML as text with paragraphs, list items, rows and links."""
    writer = _TextWriter()
    writer.feed(fragment)
    writer.close()
    return writer.text()


def _convert_to_fragment(docx_bytes: bytes, convert_image: Callable[..., Any]) -> str:
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(docx_bytes), convert_image=convert_image
        )
    except (zipfile.BadZipFile, KeyError, OSError, ExpatError, ValueError) as error:
        # mammoth 1.13 raises OSError for a ZIP file without a main document part,
        # and ExpatError for a part that is not XML.
        raise ValueError(
            f"document is not a readable .docx file ({type(error).__name__}: "
            f"{error}). Pass the bytes of a Word document saved as .docx."
        ) from None
    if result.messages:
        # In mammoth 1.13 the messages name styles, elements and image files, not the
        # letter's text.
        logger.debug(
            "mammoth reported %d conversion messages: %s",
            len(result.messages),
            "; ".join(sorted({message.message for message in result.messages})),
        )
    return result.value


def _wrap_document(fragment: str, title: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        "<html>\n"
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        "</head>\n"
        "<body>\n"
        f"{fragment}\n"
        "</body>\n"
        "</html>\n"
    )


class _TextWriter(HTMLParser):
    """Collects the text of mammoth's HTML with line breaks where the blocks end."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        # One entry per open list: the next item number, or None for a bullet list.
        self._lists: list[int | None] = []
        # One entry per open link: its href and the index of its first text part.
        self._links: list[tuple[str | None, int]] = []
        # One entry per open table row: the text of its finished cells.
        self._rows: list[list[str]] = []
        # One entry per open table cell: the index of its first text part.
        self._cells: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in _BLOCK_TAGS:
            self._start_block()
        elif tag == "br":
            self._parts.append("\n")
        elif tag in ("ul", "ol"):
            # A nested list starts on the next line through its first item.
            if not self._lists:
                self._parts.append("\n\n")
            self._lists.append(1 if tag == "ol" else None)
        elif tag == "li":
            self._start_list_item()
        elif tag == "table":
            self._parts.append("\n\n")
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cells.append(len(self._parts))
        elif tag == "a":
            self._links.append((attributes.get("href"), len(self._parts)))
        elif tag == "img" and attributes.get("alt"):
            self._parts.append(f"[{attributes['alt']}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._end_block()
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
            if not self._lists:
                self._parts.append("\n\n")
        elif tag in ("td", "th") and self._cells:
            self._end_cell(self._cells.pop())
        elif tag == "tr" and self._rows:
            self._end_row(self._rows.pop())
        elif tag == "table":
            self._parts.append("\n\n")
        elif tag == "a" and self._links:
            self._end_link(*self._links.pop())

    def handle_data(self, data: str) -> None:
        self._parts.append(data)

    def text(self) -> str:
        lines = [line.rstrip() for line in "".join(self._parts).split("\n")]
        text = "\n".join(lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"

    def _start_block(self) -> None:
        # Paragraphs inside a table cell stay on the row's line.
        self._parts.append(" " if self._cells else "\n\n")

    def _end_block(self) -> None:
        self._parts.append(" " if self._cells else "\n\n")

    def _end_cell(self, first_part: int) -> None:
        # A cell becomes one line of text, and its row one line of cells.
        cell_text = " ".join("".join(self._parts[first_part:]).split())
        del self._parts[first_part:]
        if self._rows:
            self._rows[-1].append(cell_text)
        else:
            self._parts.append(cell_text)

    def _end_row(self, cells: list[str]) -> None:
        if any(cells):
            self._parts.append("\n" + " | ".join(cells))

    def _start_list_item(self) -> None:
        indent = "  " * max(0, len(self._lists) - 1)
        if self._lists and self._lists[-1] is not None:
            number = self._lists[-1]
            self._lists[-1] = number + 1
            marker = f"{number}. "
        else:
            marker = "- "
        self._parts.append(f"\n{indent}{marker}")

    def _end_link(self, href: str | None, first_part: int) -> None:
        # Internal anchors (#...) and links whose text is the address add nothing.
        if not href or href.startswith("#"):
            return
        target = href.removeprefix("mailto:")
        link_text = "".join(self._parts[first_part:]).strip()
        if target != link_text:
            self._parts.append(f" ({target})")
