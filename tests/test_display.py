"""Users' words made safe to show as Markdown."""

import re

from core.data.display import escape_markdown


def test_markdown_specials_are_backslash_escaped_and_plain_words_pass():
    assert escape_markdown("king") == "king"
    assert escape_markdown("*bold*") == r"\*bold\*"
    assert escape_markdown(":smile:") == r"\:smile\:"
    assert escape_markdown("[a](http://x)") == r"\[a\]\(http\://x\)"
    assert escape_markdown("<b>") == r"\<b\>"
    assert escape_markdown("a\\b") == "a\\\\b"
    assert escape_markdown("don't café") == "don't café"


def test_every_special_character_gets_one_backslash():
    specials = "\\`*_{}[]()#+-.!|~<>$:"
    escaped = escape_markdown(specials)
    assert escaped == "".join("\\" + c for c in specials)
    # Removing the added backslashes gives the word back.
    assert re.sub(r"\\(.)", r"\1", escaped) == specials
