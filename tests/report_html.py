"""Classifier reports in tests: a small run with hostile text to report on, and a parser that
reads the report's HTML back (its tags, attributes, tables and texts)."""

from __future__ import annotations

from html.parser import HTMLParser

SCRIPT_TEXT = "<script>document.title='owned'</script> great song, love it"
IMG_LABEL = '<img src=x onerror="alert(1)">spam'
THRESHOLD = 0.99  # nearly every text counts as the first class, so ham texts are mistakes


def hostile_report_inputs():
    """A small network trained on 600 YouTube comments whose spam label is an <img> tag, tested
    on 30 more and a ham comment holding a <script>, to be reported at a high threshold; the
    source lists a left-out row whose reason holds a <b> tag."""
    from core.classifier.html_report import ReportInputs
    from core.classifier.report import TrainingRequest, train_and_compare
    from core.classifier.report_facts import data_facts
    from core.classifier.splits import TextSplit, label_order
    from core.classifier.train import ClassifierSettings
    from core.data.datasets import LabelledText, youtube_spam
    from core.nn.networks import DenseLayer

    youtube = youtube_spam()
    names = {"spam": IMG_LABEL, "not spam": "ham"}
    texts, labels = youtube.texts[:600], tuple(names[x] for x in youtube.labels[:600])
    test_texts = (*youtube.texts[600:630], SCRIPT_TEXT)
    test_labels = (*(names[x] for x in youtube.labels[600:630]), "ham")
    split = TextSplit(
        texts, labels, test_texts, test_labels, label_order(labels), "600 and 31 comments"
    )
    data = LabelledText(texts, labels, "hostile.csv", "CSV", skipped=((7, "no <b>text</b>"),))
    settings = ClassifierSettings(hidden=(DenseLayer(8),), epochs=2, seed=1)
    results = train_and_compare(TrainingRequest(split, settings))
    return ReportInputs(results.trained, results.comparison, split, data_facts(data), THRESHOLD)


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
