"""The named experiment presets of `snnsoc experiment --preset NAME`.

quick: minutes on two cores (CI): coloured digits at rho = 0.95, the ERM teacher and two debiased
    teachers (PoE, reweighting), each distilled into a small spiking student.
paper: the study's grid with 5 seeds, sized for a few hours on two shared CPU cores; units run in
    block order (seeds ascending), so a sweep stopped early holds the first blocks whole:
    A  C1/C2 on coloured digits at rho = 0.95 for all nine methods (rate KD)
    B  the remedies and their combination at rho = 0.95 for four methods
    C  KD variants (per-step, membrane, heterogeneous tau, spike regulariser, debiasing in the
       student's loss / in the KD target / both) at rho = 0.95 for PoE and reweighting
    D  rho in {0.9, 0.98} on coloured digits for four methods
    E  other bias types: tint groups (2x2), patch shortcut, synthetic NLI at rho = 0.95
"""

from __future__ import annotations

from snn.errors import check_choice
from snn.experiments.grid import Block, Preset, Setup

PAPER_SEEDS = (0, 1, 2, 3, 4)
FOCUS_METHODS = ("erm", "poe", "reweight", "group_dro")
ALL_METHODS = (
    "erm",
    "poe",
    "learned_mixin",
    "reweight",
    "conf_reg",
    "focal",
    "jtt",
    "group_dro",
    "lff",
)

QUICK = Preset(
    name="quick",
    description="CI smoke run: colour digits, rho 0.95, erm/poe/reweight, one seed",
    setup=Setup(
        student={"hidden": [64], "num_steps": 8, "weight_bits": 16},
        teacher_epochs=15,
        student_epochs=8,
        batch_size=128,
        image_teacher=("mlp", {"hidden": [64], "activation": "qcfs"}),
    ),
    blocks=(Block(("colour_digits",), (0.95,), ("erm", "poe", "reweight")),),
)

PAPER = Preset(
    name="paper",
    description="the study: C1/C2, KD variants, remedies, four bias types, 5 seeds",
    setup=Setup(
        student={"hidden": [128], "num_steps": 16, "weight_bits": 16},
        teacher_epochs=30,
        student_epochs=20,
        batch_size=128,
        lr=3e-3,
        image_teacher=("mlp", {"hidden": [128], "activation": "qcfs"}),
        nli_teacher=("transformer", {"dim": 32, "heads": 2, "layers": 2}),
        remedy_options={"augment_fraction": 1.0},
    ),
    blocks=(
        Block(("colour_digits",), (0.95,), ALL_METHODS, seeds=PAPER_SEEDS),
        Block(
            ("colour_digits",),
            (0.95,),
            FOCUS_METHODS,
            remedies=("augment", "chain", "born_again", "convert", "convert+augment"),
            seeds=PAPER_SEEDS,
        ),
        Block(
            ("colour_digits",),
            (0.95,),
            ("poe", "reweight"),
            kds=("step", "membrane", "hetero", "sparse", "own", "target", "both"),
            seeds=PAPER_SEEDS,
        ),
        Block(("colour_digits",), (0.9, 0.98), FOCUS_METHODS, seeds=PAPER_SEEDS),
        Block(
            ("tint_groups", "patch_digits", "synthetic_nli"),
            (0.95,),
            FOCUS_METHODS,
            remedies=("none", "convert+augment"),
            seeds=PAPER_SEEDS,
        ),
    ),
)

PRESETS = {p.name: p for p in (QUICK, PAPER)}


def get_preset(name: str) -> Preset:
    check_choice("preset", name, PRESETS)
    return PRESETS[name]
