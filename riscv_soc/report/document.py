"""A report as a list of blocks, rendered twice: Markdown (figures as PNG files beside it) and one
self-contained HTML page (figures inline as base64 PNG, styles inline, nothing fetched).

Where it sits: sections.py builds the blocks from a run folder; __init__.write_report renders and
writes them. Text in blocks is plain (escaped for HTML); `code` spans are not interpreted.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass

from snnsoc_common.tables import markdown_table


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Alert:
    """A line that must not be missed: a failed check (ok=False) or a passed one."""

    text: str
    ok: bool


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Figure:
    name: str  # file name of the PNG beside report.md, e.g. "accuracy.png"
    png: bytes
    caption: str


@dataclass(frozen=True)
class Code:
    text: str


Block = Heading | Paragraph | Alert | Table | Figure | Code


def to_markdown(blocks: list[Block], figure_dir: str) -> str:
    """Markdown; figures are linked as `figure_dir/<name>`."""
    parts = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Alert):
            parts.append(f"> **{'PASS' if block.ok else 'FAIL'}**: {block.text}")
        elif isinstance(block, Table):
            parts.append(markdown_table(block.header, block.rows))
        elif isinstance(block, Figure):
            parts.append(f"![{block.caption}]({figure_dir}/{block.name})\n\n*{block.caption}*")
        else:
            parts.append(f"```\n{block.text.rstrip()}\n```")
    return "\n\n".join(parts) + "\n"


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
figcaption { font-style: italic; color: #555; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
.pass { border-left: 6px solid #2a8a2a; background: #eef8ee; padding: 0.5em 1em; }
.fail { border-left: 6px solid #c00; background: #fdeaea; padding: 0.5em 1em; font-weight: bold; }
"""


def to_html(blocks: list[Block], title: str) -> str:
    """One self-contained HTML page."""
    body = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            body.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, Alert):
            kind = "pass" if block.ok else "fail"
            body.append(f'<p class="{kind}">{kind.upper()}: {html.escape(block.text)}</p>')
        elif isinstance(block, Table):
            head = "".join(f"<th>{html.escape(h)}</th>" for h in block.header)
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                for row in block.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(block, Figure):
            data = base64.b64encode(block.png).decode("ascii")
            caption = html.escape(block.caption)
            body.append(
                f'<figure><img alt="{caption}" src="data:image/png;base64,{data}">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
        else:
            body.append(f"<pre>{html.escape(block.text.rstrip())}</pre>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
