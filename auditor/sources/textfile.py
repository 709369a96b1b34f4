"""Plain text, markdown, prompt templates, logs: streamed in blocks of whole lines."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.sources.base import SourceEvent, TextUnit, text_piece

BLOCK_CHARS = 64 * 1024


def read_text(
    path: str, display: str, block_chars: int = BLOCK_CHARS, encoding: str = "utf-8-sig"
) -> Iterator[SourceEvent]:
    """Yield the file as units of whole lines, about ``block_chars`` each, never all at once.

    A block ends at a blank line when one is near, so a paragraph (an identifier and the
    label before it) stays together.
    """
    with open(path, encoding=encoding, newline="") as handle:
        lines: list[str] = []
        size = 0
        first_line = 1
        for line in handle:
            lines.append(line)
            size += len(line)
            at_paragraph_end = not line.strip()
            if size >= block_chars and (at_paragraph_end or size >= 2 * block_chars):
                yield _unit(display, lines, first_line)
                first_line += len(lines)
                lines, size = [], 0
        if lines:
            yield _unit(display, lines, first_line)


def _unit(display: str, lines: list[str], first_line: int) -> TextUnit:
    text = "".join(lines)
    return TextUnit(text, (text_piece(display, text, first_line=first_line),))
