"""Firmware export: the FWDIR files, manifest.json, loading back, and the errors of a bad FWDIR."""

import json

import numpy as np
import pytest
from naive.firmware_nets import family_bundle, spikes_for

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.errors import ImageError
from riscv_soc.firmware.export import export_firmware, firmware_of, load_firmware
from riscv_soc.firmware.manifest import bundle_digest
from riscv_soc.image.hexfile import hex_lines
from riscv_soc.quant import save_bundle


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    bundle = family_bundle("delayed_lif")
    fw = firmware_of(compile_bundle(bundle, CompileOptions(profile=True)))
    fwdir = tmp_path_factory.mktemp("fw") / "net"
    files = export_firmware(fw, fwdir)
    return bundle, fw, fwdir, files


def test_files_written(exported):
    _, fw, fwdir, files = exported
    names = sorted(p.name for p in files)
    assert names == sorted(
        [
            "firmware.elf",
            "firmware.lst",
            "manifest.json",
            "bundle.npz",
            *(f"firmware.{m}.{k}" for m in ("imem", "dmem", "vmem") for k in ("hex", "bin")),
        ]
    )
    lines = (fwdir / "firmware.vmem.hex").read_text().split()
    assert lines == hex_lines(fw.image, "vmem")
    assert "vadd_s" in fw.listing and "ecall" in fw.listing


def test_load_gives_the_same_firmware_and_results(exported):
    bundle, fw, fwdir, _ = exported
    back = load_firmware(fwdir)
    assert back.config == fw.config and back.image.entry == fw.image.entry
    for memory, arr in fw.image.memory_arrays().items():
        assert np.array_equal(back.image.memory_arrays()[memory], arr), memory
    spikes = spikes_for(bundle, 2)
    assert core.diff_results(runtime.run(fw, spikes), runtime.run(back, spikes)) == []


def test_manifest_describes_the_image(exported):
    bundle, fw, fwdir, _ = exported
    m = json.loads((fwdir / "manifest.json").read_text())
    assert (m["format"], m["version"], m["tool"]["name"]) == ("snnsoc-firmware", 1, "snnsoc")
    assert m["bundle"]["sha256"] == bundle_digest(bundle) and m["bundle"]["num_steps"] == 10
    assert m["image"]["files"]["elf"] == "firmware.elf" and m["image"]["code_bytes"] > 0
    symbols = fw.image.symbols
    io = m["io"]
    assert io["mailbox"]["address"] == symbols["mailbox"].address == 0
    assert io["input"]["address"] == symbols["input"].address
    assert io["seeds"]["address"] == symbols["seeds"].address
    assert io["state"]["h"]["address"] == symbols["state.h"].address
    assert io["record"]["populations"] == {"h": {"word": 0, "words": 2, "n": 40}}
    assert io["profile"]["populations"] == ["h", "out"]
    ring = next(r for r in m["memory_map"]["llm"]["regions"] if r["name"] == "ring.h")
    assert ring["bytes"] == 2 * 2 * 16  # two vectors of neurons, a window of 2 x 8 slots each


def test_bad_firmware_directories(exported, tmp_path):
    bundle, _, fwdir, _ = exported
    with pytest.raises(ImageError, match="no manifest"):
        load_firmware(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("firmware.elf", "bundle.npz"):
        (broken / name).write_bytes((fwdir / name).read_bytes())
    manifest = json.loads((fwdir / "manifest.json").read_text())
    (broken / "manifest.json").write_text(json.dumps({**manifest, "version": 7}))
    with pytest.raises(ImageError, match="manifest version 7"):
        load_firmware(broken)
    (broken / "manifest.json").write_text("{not json")
    with pytest.raises(ImageError, match="not a readable manifest"):
        load_firmware(broken)
    (broken / "manifest.json").write_text(json.dumps(manifest))
    other = family_bundle("delayed_lif", seed=1)
    save_bundle(other, broken / "bundle.npz")
    with pytest.raises(ImageError, match="does not match manifest"):
        load_firmware(broken)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ImageError, match="not a directory"):
        export_firmware(load_firmware(fwdir), tmp_path / "file")
