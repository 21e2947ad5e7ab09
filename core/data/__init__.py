"""Data: the embedded datasets, reading a person's file, shareable links and safe tables.

- ``datasets``: what the lab trains on when nobody brings a file (YouTube spam, gensim's
  corpora, scikit-learn's digits, plotly's stocks), and the upload limit;
- ``reading``: bytes decoded, the format detected, labelled rows validated;
- ``formats``: CSV and TSV tables, label<TAB>text lines and fastText, read row by row, with every
  row that cannot be read reported by line number;
- ``links``: a page's settings to and from URL query parameters, validated;
- ``export``: CSV and JSON that are safe to open in a spreadsheet;
- ``display``: users' words escaped for Markdown labels and buttons;
- ``snippets``: settings written as code for "Show the code", and the datasets page's snippets.
"""
