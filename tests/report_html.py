"""Reading a classifier report's HTML back in tests: its tags, attributes and tables."""

from __future__ import annotations

from html.parser import HTMLParser


class ReportParser(HTMLParser):
    """Every start tag with its attributes, each table's rows of cell texts by table id, each
    element's text by id, and the text of every ``<li>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.texts: dict[str, str] = {}
        self.items: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._open_ids: list[tuple[str, str]] = []  # (tag, id) of elements with an id
        self._item: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "table":
            self._table = attributes.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "li":
            self._item = []
        if attributes.get("id") and tag != "table":
            self._open_ids.append((tag, attributes["id"]))
            self.texts[attributes["id"]] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "li" and self._item is not None:
            self.items.append("".join(self._item).strip())
            self._item = None
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._item is not None:
            self._item.append(data)
        for _, element_id in self._open_ids:
            self.texts[element_id] += data

    def table(self, table_id: str) -> dict[str, list[str]]:
        """A table's rows keyed by their first cell (the header row under its first cell)."""
        return {row[0]: row[1:] for row in self.tables[table_id] if row}


def parse_report(text: str) -> ReportParser:
    parser = ReportParser()
    parser.feed(text)
    parser.close()
    return parser
