"""A pipeline run folder: what it holds and how to read it back.

Where it sits: below both the pipeline (riscv_soc.pipeline writes a run folder) and the report
(riscv_soc.report reads one), so neither imports the other's internals: the config (config.py,
DIR/config.json), the stage records (records.py, DIR/<stage>/stage.json), the loaders of the
stages' artefacts (context.py) and the summary table (summary.py).
"""
