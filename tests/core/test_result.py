"""diff_results: what counts as a difference between two runs."""

import numpy as np
import pytest

from riscv_soc.core import RunResult, diff_results
from riscv_soc.errors import ConfigError


def _run(**activity):
    counts = {name: np.asarray(v) for name, v in activity.items()}
    return RunResult(np.zeros((2, 3), np.int32), {}, {}, counts)


def test_activity_modes():
    core_run = _run(spikes=[4, 5], saturations=[0, 0])
    firmware = _run(spikes=[4, 5], cycles=[90, 91])
    assert diff_results(core_run, firmware, activity=False) == []
    assert diff_results(core_run, firmware, activity="shared") == []
    assert diff_results(core_run, firmware) == [
        "activity_cycles: only in second run",
        "activity_saturations: only in first run",
    ]
    other = _run(spikes=[4, 6], cycles=[90, 91])
    assert diff_results(core_run, other, activity="shared") == [
        "activity_spikes: 1 entries differ, first at (1,): 5 != 6"
    ]
    with pytest.raises(ConfigError, match="activity: expected True, False or 'shared'"):
        diff_results(core_run, firmware, activity="some")
