"""The training API of snnsoc: biased data, debiased ANN teachers, spiking students, KD."""
