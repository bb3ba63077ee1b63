"""The report's content: blocks (document.py) built from a finished run folder.

Where it sits: between the run folder (riscv_soc.runfolder: stage records, results files) and
the renderers. Every number comes from a stage record or a saved result; nothing is computed
here that a stage did not measure, except the differences and ratios between them.
"""

from __future__ import annotations

import numpy as np

from riscv_soc.energy import format_joules, format_seconds
from riscv_soc.report import figures
from riscv_soc.report.document import Alert, Block, Code, Figure, Heading, Paragraph, Table
from riscv_soc.runfolder.config import to_toml
from riscv_soc.runfolder.context import Context
from riscv_soc.runfolder.metrics import (
    CalibrationMetrics,
    EnergyMetrics,
    FloatReference,
    RtlMetrics,
    RunMetrics,
    Scores,
)
from riscv_soc.runfolder.stages import LABELS
from riscv_soc.runfolder.summary import (
    format_cell,
    formatted,
    summary_rows,
    verification_failures,
)
from snnsoc_common.records import to_json

MODEL_COLUMNS = ["accuracy", "unbiased acc.", "WGA", "spurious gap", "spikes/sample"]


def _pct(value) -> str:
    return format_cell("acc", value)


def _points(a, b) -> str:
    """a - b in percentage points."""
    return "–" if a is None or b is None else f"{100 * (a - b):+.1f} points"


def _model_row(name: str, scores: Scores, spikes_per_sample: float | None) -> list[str]:
    cells = [_pct(v) for v in (scores.acc, scores.unbiased_acc, scores.wga, scores.spurious_gap)]
    return [name, *cells, format_cell("spikes_per_sample", spikes_per_sample)]


def build(ctx: Context) -> list[Block]:
    run = RunMetrics.of(ctx.records)
    return [
        Heading(1, "snnsoc pipeline report"),
        Paragraph(_setting(ctx)),
        *_checks(run, verification_failures(ctx.records)),
        *_summary(run, summary_rows(ctx.records)),
        *_debiasing(run),
        *_rtl_subset(run.rtl),
        *_rasters(ctx),
        *_energy(run.energy),
        *_calibration(run.calibration),
        *_hardware(run),
        *_stages(ctx),
        Heading(2, "Configuration"),
        Code(to_toml(to_json(ctx.config))),
    ]


def _setting(ctx: Context) -> str:
    data, teacher, student = ctx.config.data, ctx.config.teacher, ctx.config.student
    return (
        f"Run folder {ctx.out}. Data: {data.dataset} at rho {data.rho:g} (seed "
        f"{data.seed}). Teacher: {teacher.kind} {teacher.options} trained with "
        f"{teacher.method}. Student: {student.arch}, distilled with {student.kd} KD and "
        f"the {student.remedy} remedy. `snnsoc report {ctx.out}` rebuilds this report."
    )


def _verdict(what: str, same: bool, diffs: list[str]) -> Alert:
    return Alert(f"{what}: " + ("identical" if same else "DIFFER: " + "; ".join(diffs)), same)


def _checks(run: RunMetrics, failures: list[str]) -> list[Block]:
    iss, rtl, teacher = run.iss, run.rtl, run.teacher
    sub = rtl.subset_scores
    blocks: list[Block] = [Heading(2, "Checks")]
    if failures:
        text = f"{len(failures)} bit-exactness check(s) failed; the numbers below are NOT verified"
        blocks.append(Alert(f"{text}: " + "; ".join(failures), ok=False))
    equal = "equal" if rtl.scores_equal_core else "DIFFER FROM"
    blocks += [
        _verdict(
            f"ISS vs core on all {iss.scores.samples} test samples (readout, spikes, final state, "
            "spike-derived activity)",
            iss.bit_exact_core,
            iss.diffs_core,
        ),
        _verdict(
            f"RTL vs core on {_rtl_samples(rtl)} ({rtl.scores.samples} samples, {rtl.groups} of "
            f"{rtl.groups_in_test} groups)",
            rtl.bit_exact_core,
            rtl.diffs_core,
        ),
        _verdict(
            "RTL vs ISS on the same samples, cycles and activity counters included",
            rtl.bit_exact_iss,
            rtl.diffs_iss,
        ),
        Alert(
            f"The RTL's accuracy ({_pct(sub['rtl'].acc)}) and worst-group accuracy "
            f"({_pct(sub['rtl'].wga)}) {equal} the core's on the same samples "
            f"({_pct(sub['core'].acc)}, {_pct(sub['core'].wga)})",
            rtl.scores_equal_core,
        ),
        Paragraph(
            f"Gap to the debiased teacher: on {_rtl_samples(rtl)} the RTL's WGA is "
            f"{_pct(sub['rtl'].wga)} and the teacher's {_pct(sub['teacher'].wga)} "
            f"({_points(sub['rtl'].wga, sub['teacher'].wga)}); on the whole test split the "
            f"ISS (bit-identical to the core) has WGA {_pct(iss.scores.wga)} against the "
            f"teacher's {_pct(teacher.scores.wga)} ({_points(iss.scores.wga, teacher.scores.wga)})"
            f".{_coarse(rtl)}"
        ),
    ]
    return blocks


def _coarse(rtl: RtlMetrics) -> str:
    if rtl.whole_split:
        return ""
    return (
        f" With {_per_group(rtl)} sample(s) per group the subset's WGA is a coarse estimate; "
        "the whole-split numbers are the ones to compare with docs/findings.md."
    )


def _per_group(rtl: RtlMetrics) -> int:
    return (rtl.scores.samples or 0) // max(rtl.groups, 1)


def _rtl_samples(rtl: RtlMetrics) -> str:
    return "the whole test split" if rtl.whole_split else "the stratified subset"


def _summary(run: RunMetrics, rows: list[dict]) -> list[Block]:
    header, body = formatted(rows)
    clock = run.energy.clock_hz
    png = figures.accuracy_bars(
        [r["stage"] for r in rows],
        [r["acc"] for r in rows],
        [r["unbiased_acc"] for r in rows],
        [r["wga"] for r in rows],
    )
    return [
        Heading(2, "Summary"),
        Paragraph(
            f"Metrics on the unbiased test split ({run.core.scores.samples} samples; "
            "every (class, attribute) group populated), the RTL rows on the samples it ran; "
            "gap = aligned - conflicting accuracy. Spikes: hidden spikes per sample. Cycles and "
            f"latency per inference at the SoC clock of {clock / 1e6:g} MHz. E: dynamic energy "
            "per inference (op-count estimate; board and core counter models)."
        ),
        Table(header, body),
        Figure("accuracy.png", png, "Accuracy, unbiased accuracy and WGA per stage"),
    ]


def _debiasing(run: RunMetrics) -> list[Block]:
    teacher, student, core, base = run.teacher, run.student, run.core, run.baselines.models
    models = [
        ("f_T: teacher", teacher.scores, None),
        ("f_S: student alone", base["alone"].scores, base["alone"].spikes_per_sample),
    ]
    if "plain" in base:
        models.append(
            ("g: distilled, plain KD", base["plain"].scores, base["plain"].spikes_per_sample)
        )
    models += [
        ("g: distilled + remedy (float)", student.scores, student.spikes_per_sample),
        ("g + remedy, fixed point", core.scores, core.spikes_per_sample),
    ]
    plain = base["plain"].scores if "plain" in base else student.scores
    png = figures.debiasing_bars(
        [n for n, _, _ in models],
        [s.wga for _, s, _ in models],
        [s.unbiased_acc for _, s, _ in models],
    )
    return [
        Heading(2, "Debiasing through the pipeline (C1/C2)"),
        Paragraph(
            "The study's comparisons for this run (docs/findings.md has them over 5 seeds): C1 "
            "compares the debiased teacher f_T with the distilled student g, C2 the student "
            "trained alone with the same method f_S with g. WGA differences: C1 (plain KD) "
            f"{_points(plain.wga, teacher.scores.wga)}; C2 "
            f"{_points(plain.wga, base['alone'].scores.wga)}; the remedy's student against the "
            f"teacher {_points(student.scores.wga, teacher.scores.wga)}; quantisation (fixed "
            f"point against float, the same input spikes) "
            f"{_points(core.scores.wga, student.scores.wga)}. The fixed-point and the float "
            f"student agree on {100 * core.agreement_with_float_student:.1f} % of the samples."
        ),
        Table(["model", *MODEL_COLUMNS], [_model_row(*model) for model in models]),
        Figure("debiasing.png", png, "WGA and unbiased accuracy of the run's models"),
    ]


def _rtl_subset(rtl: RtlMetrics) -> list[Block]:
    rows = [_model_row(LABELS[k], s, None) for k, s in rtl.subset_scores.items()]
    if rtl.whole_split:
        return [
            Heading(2, "The RTL run"),
            Paragraph(
                f"All {rtl.scores.samples} test samples, compared with the core's and the "
                "ISS's whole-split runs (the same samples with the same RNG seeds)."
            ),
            Table(["execution", *MODEL_COLUMNS], rows),
        ]
    return [
        Heading(2, "The RTL subset"),
        Paragraph(
            f"{rtl.scores.samples} test samples, {_per_group(rtl)} drawn at "
            f"random from each of the {rtl.groups} groups; every execution below is scored on "
            "exactly these samples. The core and the ISS were rerun on the subset as the RTL "
            "ran it (sample i of the subset is sample i of the run, which sets its RNG seeds); "
            "the core's subset predictions agree with its whole-split run on "
            f"{100 * rtl.core_full_run_agreement:.1f} % of the samples (they can differ only "
            "where the network draws random numbers)."
        ),
        Table(["execution", *MODEL_COLUMNS], rows),
    ]


def _rasters(ctx: Context) -> list[Block]:
    """The fixed-point student (core run; the ISS's is identical) on two test examples."""
    result, test = ctx.result("core"), ctx.test
    hidden = next(iter(result.spikes))
    examples = []
    for kind, mask in (("aligned", test.aligned), ("conflicting", ~test.aligned)):
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            title = (
                f"{kind} example #{i}: class {test.y[i]}, attribute {test.bias[i]}, "
                f"predicted {result.predictions[i]}"
            )
            examples.append(
                {"title": title, "inputs": ctx.spikes[i], "hidden": result.spikes[hidden][i]}
            )
    caption = (
        f"Input and {hidden} spikes of the fixed-point student on a bias-aligned and a "
        "bias-conflicting test example (core run)"
    )
    return [
        Heading(2, "Spike rasters"),
        Figure("rasters.png", figures.spike_rasters(examples), caption),
    ]


def _energy(energy: EnergyMetrics) -> list[Block]:
    body = []
    for stage, joules in energy.per_stage.items():
        cells = [
            format_cell(k, v)
            for k, v in (
                ("op_count_j", joules.op_count_j),
                ("board_j", joules.board_j),
                ("core_j", joules.core_j),
            )
        ]
        time = "–" if joules.time_s is None else format_seconds(joules.time_s)
        body.append([stage, *cells, time])
    comparison = []
    for row in energy.comparison:
        idle = format_joules(row.static_j) if row.static_j else "–"
        time = format_seconds(row.time_s) if row.time_s is not None else "–"
        comparison.append([row.estimate, format_joules(row.energy_j), idle, time, row.basis])
    components = {
        model: {k: v for k, v in report["components_j"].items() if k != "static"}
        for model, report in energy.breakdown["iss"].items()
    }
    totals = {row.estimate: row.energy_j for row in energy.comparison}
    png = figures.energy_breakdown(components, totals)
    return [
        Heading(2, "Energy per inference"),
        Paragraph(
            f"At the SoC clock of {energy.clock_hz / 1e6:g} MHz (docs/energy.md: equations, "
            "constants and their sources). The counter models need the ISS/RTL counters; the "
            "op-count estimate needs only spikes (student) or MACs (teacher)."
        ),
        Table(["stage", "op count", "board (dynamic)", "core (dynamic)", "time"], body),
        Paragraph(
            "The three estimates side by side for the ISS run of the whole test split, each with "
            "what it assumes (idle: the board's static power over the run time):"
        ),
        Table(["estimate", "energy", "idle", "time", "basis"], comparison),
        Figure(
            "energy.png",
            png,
            "Energy per inference of the ISS run: components of the counter models, and every "
            "estimate",
        ),
    ]


def _calibration(cal: CalibrationMetrics) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Consistency check against FeNN's SHD measurement")]
    if cal.skipped or cal.fenn is None:
        return [*blocks, Paragraph("Skipped (calibration.samples = 0).")]
    fenn = cal.fenn
    body = []
    for name, v in cal.variants.items():
        board, core = v.models["board"], v.models["core"]
        body.append(
            [
                f"accumulators {name}",
                f"{v.instructions:,.0f} ({v.instruction_ratio:.2f})",
                f"{format_seconds(board.time_s)} ({board.time_ratio:.3f})",
                f"{format_joules(board.energy_j)} ({board.energy_ratio:.3f})",
                f"{format_joules(core.energy_j)} ({core.energy_ratio:.3f})",
                "yes" if v.bit_exact_core else "NO",
            ]
        )
    text = (
        "A network of FeNN's SHD shape (700-256-20, recurrent ALIF hidden layer, 1,170 steps) on "
        f"synthetic spike trains: {cal.input_spikes:,.0f} input and "
        f"{cal.hidden_spikes:,.0f} hidden spikes per sample (FeNN: "
        f"{fenn.input_spikes:,.0f} and {fenn.hidden_spikes:,.0f}), {cal.samples} "
        "sample(s) on the ISS (benchmarks/energy_calibration.py). Per inference at FeNN's "
        f"{fenn.clock_hz / 1e6:g} MHz, beside FeNN's measured {fenn.time_s * 1e3:.1f} ms and "
        f"{fenn.net_energy_j * 1e3:.1f} mJ net of idle (ratios in brackets; instructions "
        f"against FeNN's {fenn.instructions:,.0f}). This is a consistency check, not a "
        "validation: the board model is one constant fitted to this same measurement, so its "
        "energy ratio follows from the instruction ratio by construction."
    )
    header = [
        "compilation",
        "instructions",
        "time (ratio)",
        "board energy (ratio)",
        "core energy (ratio)",
        "ISS = core",
    ]
    return [*blocks, Paragraph(text), Table(header, body)]


def _hardware(run: RunMetrics) -> list[Block]:
    quant, fw = run.quantise, run.firmware
    pops = [
        [
            name,
            p["format"],
            str(p["limited_by"]),
            f"{p['weights_clipped']}/{p['weights']}",
            str(p["weights_rounded_to_zero"]),
            str(p["saturating_neurons"]),
        ]
        for name, p in quant.populations.items()
    ]
    memories = [
        [name, f"{m.used:,}", f"{m.bytes:,}", f"{100 * m.used / m.bytes:.1f} %"]
        for name, m in fw.memories.items()
    ]
    header = [
        "population",
        "format",
        "limited by",
        "weights clipped",
        "rounded to 0",
        "neurons that can saturate in a step",
    ]
    return [
        Heading(2, "Quantisation and firmware"),
        Table(header, pops),
        *_float_reference(run.core.float_reference),
        Paragraph(
            f"Firmware: {fw.code_bytes:,} bytes of code; memory use of the SoC (DDR "
            f"{fw.soc['ddr_bytes']:,} bytes):"
        ),
        Table(["memory", "used (bytes)", "size (bytes)", "used"], memories),
    ]


def _float_reference(ref: FloatReference | None) -> list[Block]:
    """The core against the float reference of the student (riscv_soc.floatsim), per population."""
    if ref is None:  # a run recorded before the float reference existed
        return []
    rows = []
    for p in ref.comparison.populations:
        step = p.first_divergent_step
        state = ", ".join(f"{k} {m:.3g} / {x:.3g}" for k, (m, x) in p.state_error.items())
        spiking = bool(p.agreement_per_step)
        rows.append(
            [
                p.name,
                _pct(p.spike_agreement) if spiking else "no spikes",
                "–" if step is None else str(step),
                _pct(p.samples_diverged) if spiking else "–",
                state or "–",
            ]
        )
    header = [
        "population",
        "spikes agree",
        "first divergent step",
        "samples diverging",
        "final state error (mean / max)",
    ]
    return [
        Paragraph(
            "The fixed-point core against the float reference (the student's NIR reading in "
            "float64, docs/semantics.md section 11) on the same test spikes: class agreement "
            f"{_pct(ref.comparison.class_agreement)}; the float reference and the snntorch "
            f"student agree on {_pct(ref.agreement_with_float_student)} of the samples."
        ),
        Table(header, rows),
    ]


def _stages(ctx: Context) -> list[Block]:
    body = []
    for name, record in ctx.records.items():
        size = sum((ctx.out / path).stat().st_size for path in record.artefacts)
        body.append(
            [
                name,
                f"{record.seconds:.1f}",
                str(len(record.artefacts)),
                f"{size / 1e6:.2f} MB",
                record.input_hash[:12],
            ]
        )
    return [
        Heading(2, "Stages and artefacts"),
        Paragraph(
            "Each stage keeps its artefacts in its folder of the run folder and a record "
            "(stage.json) of its input hash, its files' sha256 and its metrics; a rerun skips a "
            "stage whose inputs are unchanged. Seconds: the run that made the stage."
        ),
        Table(["stage", "seconds", "files", "size", "input hash"], body),
    ]
