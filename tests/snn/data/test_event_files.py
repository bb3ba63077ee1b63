"""Event datasets from local files written here in the distributed formats (SHD/SSC HDF5, N-MNIST
binary): reading, the binning rule, and errors naming the file, the field and the value."""

import zipfile

import numpy as np
import pytest
from naive.event_writers import nmnist_bytes, write_nmnist_folder, write_shd

from snn.data.event_files import read_events
from snn.data.events import EventSet
from snn.errors import ConfigError, DataError


@pytest.mark.parametrize("time_dtype", [np.float16, np.float32])
def test_shd_file_reads_and_bins(tmp_path, time_dtype):
    samples = [([0.0, 0.0005, 0.002, 0.0049], [3, 3, 699, 0]), ([0.001, 0.0051], [5, 6])]
    events = read_events(write_shd(tmp_path / "shd.h5", samples, [7, 19], time_dtype))
    assert events.shape == (700,) and events.labels.tolist() == [7, 19]
    spikes = events.bin(dt=1e-3, num_steps=5)
    want = np.zeros((2, 5, 700), np.uint8)
    want[0, 0, 3] = want[0, 2, 699] = want[0, 4, 0] = 1  # two events of unit 3 in step 0: 1
    want[1, 1, 5] = 1  # 5.1 ms is past the window of 5 steps
    np.testing.assert_array_equal(spikes, want)


def test_binning_counts_whole_steps_exactly():
    # 0.003 / 0.001 is 2.9999999999999996 in floats; in nanoseconds the event is in step 3
    events = EventSet("t", (2,), (np.array([0.003, 0.0029999]),), (np.array([0, 1]),))
    np.testing.assert_array_equal(events.bin(1e-3, 4)[0, :, :].nonzero(), [[2, 3], [1, 0]])
    with pytest.raises(ConfigError, match="dt=0 must be a number > 0"):
        events.bin(0, 4)
    assert events.bin(np.float32(1e-3), 4).sum() == 2


def test_nmnist_folder_reads_labels_and_chw_units(tmp_path):
    root = write_nmnist_folder(
        tmp_path / "Test",
        {
            3: [[(0, 0, 0, 0), (33, 2, 1, 1500)]],
            0: [[(5, 7, 1, 0x7FFFFF)], []],
        },
    )
    events = read_events(root)
    assert events.shape == (2, 34, 34) and events.labels.tolist() == [0, 0, 3]
    np.testing.assert_array_equal(events.units[0], [(1 * 34 + 7) * 34 + 5])
    assert events.times[0][0] == pytest.approx(0x7FFFFF * 1e-6)
    np.testing.assert_array_equal(events.units[2], [0, (34 + 2) * 34 + 33])
    spikes = events.bin(dt=1e-3, num_steps=3)
    assert spikes.shape == (3, 3, 2312) and spikes.sum() == 2
    assert spikes[2, 0, 0] == spikes[2, 1, (34 + 2) * 34 + 33] == 1
    lone = read_events(root / "3" / "00000.bin")
    assert lone.labels is None and len(lone) == 1


def test_bad_files_are_named(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(nmnist_bytes([(34, 0, 0, 0)]))
    with pytest.raises(DataError, match=r"bad.bin: event x=34 outside \[0, 34\)"):
        read_events(bad)
    bad.write_bytes(b"123456")
    with pytest.raises(DataError, match="bad.bin: 6 bytes is not a whole number of 5-byte"):
        read_events(bad)
    shd = write_shd(tmp_path / "u.h5", [([0.1], [700])], [0])
    with pytest.raises(DataError, match=r"u.h5: sample 0: units must lie in \[0, 700\), got"):
        read_events(shd)
    import h5py

    with h5py.File(tmp_path / "nolabels.h5", "w") as f:
        f.create_dataset("spikes/times", data=np.zeros(1))
    with pytest.raises(DataError, match="nolabels.h5: no 'spikes/units' dataset"):
        read_events(tmp_path / "nolabels.h5")
    with pytest.raises(DataError, match="x.csv: unknown event format '.csv'"):
        (tmp_path / "x.csv").write_text("")
        read_events(tmp_path / "x.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="empty: no N-MNIST samples"):
        read_events(tmp_path / "empty")


def test_tonic_reads_a_local_shd_folder_like_our_reader(tmp_path):
    pytest.importorskip("tonic")
    rng = np.random.default_rng(3)
    samples = [(np.sort(rng.random(50)) * 0.01, rng.integers(0, 700, 50)) for _ in range(2)]
    (tmp_path / "SHD").mkdir()
    h5 = write_shd(tmp_path / "SHD" / "shd_test.h5", samples, [2, 13], np.float32)
    with zipfile.ZipFile(tmp_path / "SHD" / "shd_test.h5.zip", "w") as archive:
        archive.write(h5, h5.name)  # as tonic's download leaves it: the archive and its file
    ours, theirs = read_events(h5), read_events(f"tonic:SHD:{tmp_path}")
    assert theirs.shape == (1, 1, 700) and theirs.labels.tolist() == [2, 13]
    # tonic keeps whole microseconds; bins of 1 ms see the same events
    np.testing.assert_array_equal(theirs.bin(1e-3, 10).reshape(2, 10, 700), ours.bin(1e-3, 10))


def test_tonic_never_downloads(tmp_path):
    pytest.importorskip("tonic")
    with pytest.raises(DataError, match="files are not there .*nothing is downloaded"):
        read_events(f"tonic:SHD:{tmp_path}")
    with pytest.raises(ConfigError, match="tonic dataset 'Nope' is not known"):
        read_events(f"tonic:Nope:{tmp_path}")
    with pytest.raises(ConfigError, match="expected tonic:NAME:ROOT"):
        read_events("tonic:SHD")
