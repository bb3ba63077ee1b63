"""One command from biased data to verified hardware: `snnsoc pipeline`.

Where it sits: on top of everything else. Stages (stages.py), in order: teacher -> student ->
baselines (C1/C2) -> quantise -> core (test set) -> firmware -> ISS (test set) -> RTL (test set,
or a stratified subset) -> energy -> calibration (SHD shape), then DIR/report.md and DIR/report.html
(riscv_soc.report). Every stage keeps its artefacts in DIR/<stage>/ and is skipped on a rerun
when its inputs are unchanged (riscv_soc.runfolder.records), so an interrupted run resumes.

    config = load_config(quick=True)              # or load_config("my.toml")
    result = run_pipeline(config, "out/pipeline")
    result.failures                               # bit-exactness checks that did not hold
"""

from riscv_soc.pipeline.runner import PipelineResult, run_pipeline, verification_failures
from riscv_soc.pipeline.stages import STAGES
from riscv_soc.runfolder.config import QUICK, SCHEMA, default_config, load_config, to_toml
from riscv_soc.runfolder.stages import STAGE_NAMES

__all__ = [
    "QUICK",
    "SCHEMA",
    "STAGES",
    "STAGE_NAMES",
    "PipelineResult",
    "default_config",
    "load_config",
    "run_pipeline",
    "to_toml",
    "verification_failures",
]
