"""The hardware stages: quantised bundle, core run, firmware, ISS run, RTL run.

Where it sits: after the training stages (training.py), before energy. Each stage uses the public
API of its part (riscv_soc.quant, .core, .compiler + .firmware.export, .runtime) and checks the
bit-exact contract where two executions meet:

quantise  the student checkpoint -> `bundle.npz` (+ `bundle.nir`), as `snnsoc quantise` does
core      the bundle on the whole test split -> `results.npz` (the golden run)
firmware  the bundle compiled for the SoC -> `fw/` (ELF, hex, bin, listing, manifest, bundle)
iss       the exported firmware on the whole test split; must equal the core's run bit for bit
rtl       the firmware on the whole test split, or with `rtl.per_group` on a stratified subset
          (that many samples of every group); must equal the core's and the ISS's runs of the
          same samples bit for bit (ISS: counters included)

The ISS and the RTL run batches of samples per run of the SoC (riscv_soc.runtime, `batch`:
`iss.batch`, `rtl.batch`, 0 for as many as the SoC's DDR holds), in contiguous chunks on
`workers` forked processes or, with an `address`, as Ray tasks (same results).

Equality is recorded, never assumed: a stage that finds a difference still finishes, lists the
differences in its metrics, and the runner reports the failure (runner.verification_failures).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np

import snn.data
from riscv_soc import core as golden
from riscv_soc import floatsim, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.core import diff_results, save_result
from riscv_soc.core.compare import compare, scales_of
from riscv_soc.firmware.export import export_firmware, firmware_of
from riscv_soc.nir import bundle_to_graph, write_graph
from riscv_soc.nir.models import quant_config, read_model
from riscv_soc.pipeline.scoring import agreement, scores
from riscv_soc.quant import quantise as quantise_network
from riscv_soc.quant import save_bundle
from riscv_soc.runfolder.config import IssConfig, PipelineConfig, RtlConfig
from riscv_soc.runfolder.context import FIRMWARE_DIR, Context
from riscv_soc.runfolder.metrics import (
    ACCURACY_KEYS,
    CoreMetrics,
    FirmwareMetrics,
    FloatReference,
    IssMetrics,
    MemoryUse,
    QuantiseMetrics,
    RtlMetrics,
    Scores,
)
from riscv_soc.soc import SocConfig

MAX_DIFFS = 10  # differences kept in a stage's metrics


def quantise(ctx: Context, folder: Path) -> QuantiseMetrics:
    network = read_model(ctx.path("student", "student.pt"))
    # "auto": the student's own fake quantisation, as `snnsoc quantise` reads it
    quant = ctx.config.quant
    # "auto" (a string): the student's own choice
    bits = quant.weight_bits if isinstance(quant.weight_bits, int) else None
    percentile = quant.percentile if isinstance(quant.percentile, float) else None
    config = quant_config(network, bits, percentile, rounding=quant.rounding, layout=quant.layout)
    calibration = _calibration(ctx, network, config, quant.calibrate)
    bundle = quantise_network(network, config, calibration)
    save_bundle(bundle, folder / "bundle.npz")
    write_graph(bundle_to_graph(bundle), folder / "bundle.nir")
    report = bundle.report
    return QuantiseMetrics(
        report["config"], report["populations"], bundle.num_steps, bundle.encoding
    )


def _calibration(ctx: Context, network, config, samples: int):
    """Formats from the float network's run on the first `samples` of the training split."""
    if not samples:
        return None
    data = ctx.config.data
    train = snn.data.load(
        data.dataset, "train", seed=data.seed, **{**data.options, "rho": data.rho}
    )
    x = train.x[:samples]
    spikes = snn.data.encode(x, network.encoding, network.num_steps, ctx.eval_seed)
    return floatsim.calibrate(network, spikes, config)


def _float_reference(ctx: Context, result) -> FloatReference:
    """The float network of the student on the same spikes, compared per population."""
    reference = floatsim.run(read_model(ctx.path("student", "student.pt")), ctx.spikes)
    comparison = compare(reference, result, None, scales_of(ctx.bundle))
    return FloatReference(comparison, agreement(reference.predictions, ctx.predictions("student")))


def _activity_means(result) -> dict:
    return {k: float(np.mean(v)) for k, v in result.activity.items()}


def core(ctx: Context, folder: Path) -> CoreMetrics:
    result = golden.run(ctx.bundle, ctx.spikes, seed=ctx.config.run.seed)
    golden.save_result(result, folder / "results.npz", ctx.test.y, ctx.test.group)
    return CoreMetrics(
        scores=scores(result.predictions, ctx.test),
        spikes_per_sample=float(result.activity["spikes"].mean()),
        activity=_activity_means(result),
        agreement_with_float_student=agreement(result.predictions, ctx.predictions("student")),
        float_reference=_float_reference(ctx, result),
    )


def firmware(ctx: Context, folder: Path) -> FirmwareMetrics:
    options, soc = ctx.config.firmware, soc_config(ctx.config)
    compiled = compile_bundle(
        ctx.bundle,
        CompileOptions(weights=options.weights, accumulators=options.accumulators),
        soc,
    )
    export_firmware(firmware_of(compiled), folder / FIRMWARE_DIR)
    memories = {
        name: MemoryUse(m["used"], m["bytes"]) for name, m in compiled.plan.report().items()
    }
    return FirmwareMetrics(compiled.code_bytes, memories, asdict(soc))


def soc_config(config: PipelineConfig) -> SocConfig:
    """The SoC the firmware is compiled for: FeNN-DMA's memories, the config's DDR size."""
    return SocConfig(ddr_bytes=config.firmware.ddr_mib << 20)


def compare_runs(reference, result) -> list[str]:
    """Differences between two runs: readout, spikes, state, and every activity count both
    have (the core has no cycle counters; the firmware runs have no `saturations`)."""
    return diff_results(reference, result, activity="shared")


def _hardware_metrics(result) -> dict:
    return {
        "spikes_per_sample": float(result.activity["spikes"].mean()),
        "cycles": float(result.activity["cycles"].mean()),
        "activity": _activity_means(result),
    }


def iss(ctx: Context, folder: Path) -> IssMetrics:
    seed, options = ctx.config.run.seed, run_options(ctx.firmware, ctx.config.iss)
    result = runtime.run(ctx.firmware, ctx.spikes, seed=seed, backend="iss", **options)
    save_result(result, folder / "results.npz", ctx.test.y, ctx.test.group)
    diffs = compare_runs(ctx.result("core"), result)
    return IssMetrics(
        scores=scores(result.predictions, ctx.test),
        **_hardware_metrics(result),
        bit_exact_core=not diffs,
        diffs_core=diffs[:MAX_DIFFS],
    )


def same_scores(a: Scores, b: Scores) -> bool:
    """Equal scores (NaN, a metric without samples, equals NaN)."""
    pairs = [(getattr(a, k), getattr(b, k)) for k in (*ACCURACY_KEYS, "samples")]
    return all(x == y or (isinstance(x, float) and np.isnan(x) and np.isnan(y)) for x, y in pairs)


def stratified_subset(groups: np.ndarray, per_group: int, seed: int) -> np.ndarray:
    """Sorted indices of `per_group` samples drawn from every group (all of a smaller group)."""
    rng = np.random.default_rng(seed)
    chosen = [rng.permutation(np.flatnonzero(groups == g))[:per_group] for g in np.unique(groups)]
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)


def run_options(firmware, section: IssConfig | RtlConfig) -> dict:
    """runtime.run's batch, workers and address from a config section (iss, rtl): batch 0 is as
    many samples as the SoC's DDR holds, 1 one sample per run (no batch firmware), an empty
    address forked processes."""
    batch = section.batch or runtime.batch_capacity(firmware)
    return {
        "batch": 0 if batch == 1 else batch,
        "workers": section.workers,
        "address": section.address or None,
    }


def rtl(ctx: Context, folder: Path) -> RtlMetrics:
    """The RTL on the test split (or a subset), beside the core and the ISS on the same inputs."""
    seed, per_group = ctx.config.run.seed, ctx.config.rtl.per_group
    index = (
        stratified_subset(ctx.test.group, per_group, seed)
        if per_group
        else np.arange(len(ctx.test.y))
    )
    subset, spikes = ctx.test.take(index), ctx.spikes[index]
    np.save(folder / "subset.npy", index)
    options = run_options(ctx.firmware, ctx.config.rtl)
    result = runtime.run(ctx.firmware, spikes, seed=seed, backend="rtl", **options)
    golden.save_result(result, folder / "results.npz", subset.y, subset.group)
    if per_group:
        # The same call shape as the RTL's (sample i of the subset is sample i of the run), so
        # the per-sample RNG seeds match whatever the network draws.
        core_run = golden.run(ctx.bundle, spikes, seed=seed)
        iss_run = runtime.run(ctx.firmware, spikes, seed=seed, backend="iss", **options)
    else:  # the whole split: the core and ISS stages ran exactly these samples
        core_run, iss_run = ctx.result("core"), ctx.result("iss")
    diffs_core = compare_runs(core_run, result)
    diffs_iss = golden.diff_results(iss_run, result, activity=True)
    rtl_scores = scores(result.predictions, subset)
    core_scores = scores(core_run.predictions, subset)
    return RtlMetrics(
        scores=rtl_scores,
        **_hardware_metrics(result),
        whole_split=not per_group,
        groups=int(len(np.unique(subset.group))),
        groups_in_test=int(len(np.unique(ctx.test.group))),
        subset_scores={
            "teacher": scores(ctx.predictions("teacher")[index], subset),
            "student": scores(ctx.predictions("student")[index], subset),
            "core": core_scores,
            "iss": scores(iss_run.predictions, subset),
            "rtl": rtl_scores,
        },
        core_full_run_agreement=agreement(
            core_run.predictions, ctx.result("core").predictions[index]
        ),
        bit_exact_core=not diffs_core,
        bit_exact_iss=not diffs_iss,
        scores_equal_core=same_scores(rtl_scores, core_scores),
        diffs_core=diffs_core[:MAX_DIFFS],
        diffs_iss=diffs_iss[:MAX_DIFFS],
    )
