"""The report's matplotlib figures, each returned as PNG bytes (Agg backend, no display needed).

Where it sits: sections.py calls these with numbers read from a run folder; document.py writes the
bytes beside report.md and inlines them into report.html.

accuracy_bars     per stage: accuracy, unbiased accuracy and worst-group accuracy
debiasing_bars    C1/C2 of this run: WGA and unbiased accuracy of f_T, f_S, g (plain), g (remedy)
spike_rasters     the student's input and hidden spikes on an aligned and a conflicting example
energy_breakdown  energy per inference by component (board and core models) and all estimates
"""

from __future__ import annotations

import io

import numpy as np

DPI = 100


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _grouped_bars(ax, labels: list[str], series: dict[str, list[float | None]]) -> None:
    """Bars of every series side by side per label; values in [0, 1] shown as %."""
    width = 0.8 / max(len(series), 1)
    x = np.arange(len(labels))
    for i, (name, values) in enumerate(series.items()):
        heights = [100 * v if v is not None else 0.0 for v in values]
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * width, heights, width, label=name)
        ax.bar_label(
            bars,
            labels=[
                f"{h:.0f}" if v is not None else "–" for h, v in zip(heights, values, strict=True)
            ],
            fontsize=7,
        )
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    ax.legend(fontsize=8, loc="lower left")


def accuracy_bars(stages: list[str], acc, unbiased, wga) -> bytes:
    """Accuracy, unbiased accuracy and WGA (fractions, None where absent) per stage."""
    fig, ax = _pyplot().subplots(figsize=(9, 3.8))
    _grouped_bars(ax, stages, {"accuracy": acc, "unbiased accuracy": unbiased, "WGA": wga})
    ax.set_title("accuracy per stage (unbiased test split; RTL rows: the samples it ran)")
    return _png(fig)


def debiasing_bars(models: list[str], wga, unbiased) -> bytes:
    """WGA and unbiased accuracy of the run's models (the study's C1/C2 comparison)."""
    fig, ax = _pyplot().subplots(figsize=(8, 3.8))
    _grouped_bars(ax, models, {"WGA": wga, "unbiased accuracy": unbiased})
    ax.set_title("C1 (f_T vs g) and C2 (f_S vs g) in this run")
    return _png(fig)


def spike_rasters(examples: list[dict]) -> bytes:
    """One column per example: dict(title, inputs uint8 [T, n_in], hidden uint8 [T, n_hidden])."""
    plt = _pyplot()
    fig, axes = plt.subplots(
        2, len(examples), figsize=(5 * len(examples), 5.5), squeeze=False, sharex="col"
    )
    for col, example in enumerate(examples):
        for row, (name, spikes) in enumerate(
            (("input", example["inputs"]), ("hidden", example["hidden"]))
        ):
            ax = axes[row][col]
            steps, neurons = np.nonzero(np.asarray(spikes))
            ax.scatter(steps, neurons, s=3, marker="|", color="black" if row else "tab:blue")
            ax.set_xlim(-0.5, spikes.shape[0] - 0.5)
            ax.set_ylim(-0.5, spikes.shape[1] - 0.5)
            ax.set_ylabel(f"{name} neuron")
            if row == 0:
                ax.set_title(example["title"], fontsize=9)
        axes[1][col].set_xlabel("time step")
    return _png(fig)


def energy_breakdown(components: dict[str, dict[str, float]], totals: dict[str, float]) -> bytes:
    """Left: per counter model, its dynamic energy per inference by component (J). Right: every
    estimate's energy per inference on a log scale (J)."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    models = list(components)
    names = sorted({c for parts in components.values() for c in parts})
    for model_index, model in enumerate(models):
        total = sum(components[model].values()) or 1.0
        start = 0.0
        for k, name in enumerate(names):
            share = components[model].get(name, 0.0) / total
            left.barh(
                model_index,
                100 * share,
                left=start,
                color=plt.cm.tab10(k % 10),
                label=name if model_index == 0 else None,
            )
            start += 100 * share
    left.set_yticks(range(len(models)), models)
    left.set_xlabel("share of dynamic energy per inference (%)")
    left.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.25))
    left.set_title("counter models: where the energy goes")
    labels = list(totals)
    right.barh(range(len(labels)), [max(totals[k], 1e-18) for k in labels], color="tab:green")
    right.set_xscale("log")
    right.set_yticks(range(len(labels)), labels, fontsize=8)
    right.set_xlabel("energy per inference (J, log scale)")
    right.set_title("all estimates")
    return _png(fig)
