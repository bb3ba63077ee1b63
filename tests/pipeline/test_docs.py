"""docs/pipeline.md shows the embedded default config as `snnsoc pipeline --print-config` does."""

from __future__ import annotations

from pathlib import Path

from riscv_soc.pipeline import load_config, to_toml

DOC = Path(__file__).resolve().parents[2] / "docs" / "pipeline.md"


def test_doc_shows_the_current_default():
    assert f"```toml\n{to_toml(load_config())}```" in DOC.read_text()
