"""The quantiser: per-target scale, clipping report, layouts, and the bundle file."""

import json
import time
import zipfile

import numpy as np
import pytest
import scipy.sparse

from riscv_soc.errors import BundleError, ConfigError
from riscv_soc.quant import (
    FloatNetwork,
    FloatPopulation,
    FloatProjection,
    QuantConfig,
    load_bundle,
    pack,
    quantise,
    save_bundle,
)
from riscv_soc.quant.bundle import VERSION


def _net(rng, n=64, density=1.0):
    w = rng.normal(0, 0.25, (10, n)) * (rng.random((10, n)) < density)
    return FloatNetwork(
        10,
        [
            FloatPopulation("h", "lif", n, beta=0.9, threshold=1.0),
            FloatPopulation("out", "li", 3, beta=0.9, reset="none"),
        ],
        [
            FloatProjection("in", "input", "h", w),
            FloatProjection("rec", "h", "h", rng.normal(0, 0.1, (n, n))),
            FloatProjection("ro", "h", "out", rng.normal(0, 0.1, (n, 3))),
        ],
        output="out",
        num_steps=16,
    )


def test_scale_is_shared_by_all_incoming_and_clipping_reported():
    rng = np.random.default_rng(0)
    net = _net(rng)
    bundle = quantise(net, QuantConfig(weight_bits=8, percentile=99))
    rep = bundle.report["populations"]["h"]
    both = np.abs(
        np.concatenate([net.projections[0].weight.ravel(), net.projections[1].weight.ravel()])
    )
    m = np.percentile(both[both > 0], 99)
    assert rep["frac_bits"] == -(np.floor(np.log2(m)) - 6)
    assert rep["weights_clipped"] == np.count_nonzero(np.abs(both) * 2 ** rep["frac_bits"] > 127.5)
    assert rep["weights_clipped"] > 0 and bundle.population("h").formats()["V"] == rep["format"]
    assert bundle.readout_shift == 4


def test_threshold_headroom_limits_the_format():
    rng = np.random.default_rng(1)
    net = _net(rng)
    net.populations[0].threshold = 100.0
    rep = quantise(net).report["populations"]["h"]
    assert rep["limited_by"] == "headroom" and rep["frac_bits"] == 7


def test_state_headroom_caps_wide_weights():
    # 16-bit weights at FeNN's scale would leave the readout's integrating V one bit above the
    # percentile weight; the state keeps state_headroom_bits (6) bits: weights use at most 10.
    net = _net(np.random.default_rng(5))
    m = float(np.percentile(np.abs(net.projections[2].weight), 99))
    wide = quantise(net, QuantConfig(weight_bits=16)).report["populations"]["out"]
    assert (wide["limited_by"], wide["frac_bits"]) == ("state", -(np.floor(np.log2(m)) - 8))
    old = quantise(net, QuantConfig(weight_bits=16, state_headroom_bits=0))
    assert old.report["populations"]["out"]["frac_bits"] == 15  # as wide as int16 allows
    narrow = quantise(net, QuantConfig(weight_bits=8)).report["populations"]["out"]
    assert (narrow["limited_by"], narrow["frac_bits"]) == ("weights", -(np.floor(np.log2(m)) - 6))
    with pytest.raises(ConfigError, match="state_headroom_bits=15 outside"):
        quantise(net, QuantConfig(state_headroom_bits=15))


def test_sparse_layout_chosen_for_sparse_weights():
    rng = np.random.default_rng(2)
    bundle = quantise(_net(rng, n=320, density=0.02))
    assert bundle.report["populations"]["h"]["layouts"]["in"] == "sparse"


def test_bundle_round_trip(tmp_path):
    bundle = quantise(_net(np.random.default_rng(3)), QuantConfig(rounding="sr"))
    save_bundle(bundle, tmp_path / "b.npz")
    again = load_bundle(tmp_path / "b.npz")
    assert again.population("h").rounding["v_decay"] == "sr"
    for a, b in zip(bundle.projections, again.projections, strict=True):
        assert np.array_equal(a.words, b.words) and a.layout == b.layout


def test_saving_a_bundle_twice_gives_the_same_bytes(tmp_path, monkeypatch):
    # The pipeline keys later stages on the bundle's hash: equal bundles must be equal files, also
    # when written a day apart (zip members carry a time stamp).
    bundle = quantise(_net(np.random.default_rng(3)))
    save_bundle(bundle, tmp_path / "a.npz")
    later = time.time() + 86_400
    monkeypatch.setattr(time, "time", lambda: later)
    save_bundle(bundle, tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_bad_bundles(tmp_path):
    path = tmp_path / "b.npz"
    save_bundle(quantise(_net(np.random.default_rng(4))), path)
    data = path.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(BundleError, match="cut.npz: not a readable bundle"):
        load_bundle(tmp_path / "cut.npz")
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(arrays["header"].tobytes())
    header["version"] = 99
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    np.savez(tmp_path / "v99.npz", **arrays)
    with pytest.raises(
        BundleError, match=f"bundle version 99; this snnsoc reads version {VERSION}"
    ):
        load_bundle(tmp_path / "v99.npz")
    header["version"] = VERSION
    header["populations"][0]["frac_bits"] = 16
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    np.savez(tmp_path / "f.npz", **arrays)
    with pytest.raises(BundleError, match="population 'h': frac_bits=16 outside"):
        load_bundle(tmp_path / "f.npz")
    assert zipfile.is_zipfile(path)


def test_bad_networks():
    net = _net(np.random.default_rng(5))
    net.populations[0].beta = 1.5
    with pytest.raises(ConfigError, match="population 'h': beta=1.5 outside"):
        quantise(net)
    with pytest.raises(ConfigError, match="weight_bits=1"):
        quantise(_net(np.random.default_rng(5)), QuantConfig(weight_bits=1))


def test_repeated_sparse_entries_are_one_synapse():
    """scipy's meaning of a repeated (pre, post) entry is the sum: one synapse, one word."""
    rng = np.random.default_rng(6)
    net = _net(rng)
    coo = scipy.sparse.coo_array(([0.25, 0.25, 0.5], ([0, 0, 1], [3, 3, 4])), shape=(10, 64))
    net.projections[0].weight = coo
    bundle = quantise(net, QuantConfig(layout="sparse", frac_bits=7))
    words = bundle.projections[0].words
    assert np.count_nonzero(words) == 2
    assert pack.unpack_sparse(words, bundle.projections[0].bits, 64)[0, 3] == 64  # 0.25 + 0.25


def test_frac_bits_per_population():
    net = _net(np.random.default_rng(5))
    names = [p.name for p in net.populations]
    bundle = quantise(net, QuantConfig(frac_bits={names[-1]: 9}))
    report = bundle.report["populations"]
    assert (report[names[-1]]["frac_bits"], report[names[-1]]["limited_by"]) == (9, "override")
    assert report[names[0]]["limited_by"] != "override"
    with pytest.raises(ConfigError, match=r"frac_bits\['out'\]=16 outside \[0, 15\]"):
        quantise(net, QuantConfig(frac_bits={"out": 16}))
