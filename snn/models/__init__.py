"""Teachers (ANN) and students (spiking, snntorch), their checkpoints and ANN-to-SNN conversion.

Student contract (docs/architecture.md): `SpikingStudent(arch)` with `.hidden[k].fc/.rec/.neuron`
and `.readout.fc/.neuron`; `student(spikes [T, B, inputs]) -> StudentOutput(readout [T, B, outputs],
hidden_spikes [[T, B, hidden_k], ...])`; `save_student` / `load_student`.
"""

from snn.models.checkpoint import load_student, load_teacher, save_student, save_teacher
from snn.models.convert import student_from_teacher
from snn.models.student import (
    ARCH_DEFAULTS,
    ENGINES,
    SpikingStudent,
    StudentOutput,
    validate_arch,
)
from snn.models.teachers import (
    TEACHERS,
    CNNTeacher,
    MLPTeacher,
    TeacherOutput,
    TransformerTeacher,
    build_teacher,
)

__all__ = [
    "ARCH_DEFAULTS",
    "ENGINES",
    "TEACHERS",
    "CNNTeacher",
    "MLPTeacher",
    "SpikingStudent",
    "StudentOutput",
    "TeacherOutput",
    "TransformerTeacher",
    "build_teacher",
    "load_student",
    "load_teacher",
    "save_student",
    "save_teacher",
    "student_from_teacher",
    "validate_arch",
]
