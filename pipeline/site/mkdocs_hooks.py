"""MkDocs hooks of the portal (listed under ``hooks:`` in ``mkdocs.yml``).

Generated pages carry large blocks of finished HTML: data tables, chart JSON, the
institution directory. MkDocs would parse each of them three times (its own anchor
scan, Markdown's raw-HTML stash, the search plugin's indexer) although none is
Markdown and none holds search words: at 3,000 institutions that was most of the
MkDocs time. A template marks such a block with ``<!--raw-->`` … ``<!--/raw-->``;
these hooks take it out before Markdown runs, leave an HTML comment in its place
(which every parser skips), and put it back once the search plugin has indexed the
page. Without the hooks the markers are plain comments and the page is the same.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from mkdocs.plugins import event_priority

RAW = re.compile(r"<!--raw-->\n?(.*?)<!--/raw-->\n?", re.DOTALL)
_blocks: dict[str, list[str]] = {}


def on_page_markdown(markdown: str, page: Any, **_kwargs: Any) -> str:
    if "<!--raw-->" not in markdown:
        return markdown
    blocks: list[str] = []
    # A fresh token per page: the text of a page cannot forge one.
    token = secrets.token_hex(8)

    def stash(match: re.Match[str]) -> str:
        blocks.append(match.group(1))
        return f"<!--portal-raw-{token}-{len(blocks) - 1}-->\n"

    markdown = RAW.sub(stash, markdown)
    _blocks[page.file.src_uri] = [token, *blocks]
    return markdown


# After every other page_context handler (the search plugin's runs at priority 0).
@event_priority(-100)
def on_page_context(context: Any, page: Any, **_kwargs: Any) -> Any:
    stashed = _blocks.pop(page.file.src_uri, None)
    if stashed and page.content:
        token, *blocks = stashed
        page.content = re.sub(
            rf"<!--portal-raw-{token}-(\d+)-->",
            lambda m: blocks[int(m.group(1))],
            page.content,
        )
    return context
