"""Support for tests of generated HTML tables: the text of every cell and the tags met, read by the
standard library's HTML parser (not by regular expressions)."""

from __future__ import annotations

from html.parser import HTMLParser


class TableCells(HTMLParser):
    """Text of every ``<td>``/``<th>`` (``cells``) and every start tag with its attributes
    (``tags``), in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._in = False

    @property
    def tag_names(self) -> list[str]:
        """The names of the start tags met (e.g. to prove that markup was shown as text)."""
        return [tag for tag, _attrs in self.tags]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in {"td", "th"}:
            self._in = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"}:
            self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.cells[-1] += data


def parse_cells(markup: str) -> TableCells:
    """``markup`` fed to a fresh :class:`TableCells`."""
    parser = TableCells()
    parser.feed(markup)
    return parser
