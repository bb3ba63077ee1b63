"""riscv_soc/report/document.py: one list of blocks as Markdown and as self-contained HTML."""

from __future__ import annotations

import base64
import re

from riscv_soc.report.document import (
    Alert,
    Code,
    Figure,
    Heading,
    Paragraph,
    Table,
    to_html,
    to_markdown,
)

PNG = b"\x89PNG\r\n\x1a\n fake bytes"
BLOCKS = [
    Heading(1, "Title <x>"),
    Paragraph("a < b & c"),
    Alert("RTL equals core", ok=True),
    Alert("ISS differs", ok=False),
    Table(["stage", "WGA"], [["core | fixed", "50.0 %"], ["rtl", "50.0 %"]]),
    Figure("accuracy.png", PNG, "Accuracy per stage"),
    Code("[data]\nrho = 0.95\n"),
]


def test_markdown():
    md = to_markdown(BLOCKS, "plots")
    assert md.startswith("# Title <x>\n\na < b & c\n\n")
    assert "> **PASS**: RTL equals core" in md and "> **FAIL**: ISS differs" in md
    assert "| stage | WGA |\n|---|---|\n| core \\| fixed | 50.0 % |\n| rtl | 50.0 % |" in md
    assert "![Accuracy per stage](plots/accuracy.png)" in md
    assert "```\n[data]\nrho = 0.95\n```" in md


def test_html_is_self_contained_and_escaped():
    html = to_html(BLOCKS, "report & co")
    assert "<title>report &amp; co</title>" in html
    assert "<h1>Title &lt;x&gt;</h1>" in html and "<p>a &lt; b &amp; c</p>" in html
    assert '<p class="pass">PASS: RTL equals core</p>' in html
    assert '<p class="fail">FAIL: ISS differs</p>' in html
    assert "<td>core | fixed</td>" in html
    (data,) = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert base64.b64decode(data) == PNG
    assert not re.search(r"(src|href)=\"(?!data:)", html)
    assert "<pre>[data]\nrho = 0.95</pre>" in html
