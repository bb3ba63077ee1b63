#!/usr/bin/env bash
# Idempotent set-up: Debian packages, a .venv, and the project installed editable with its dev extras.
# Each step is skipped when already done, so `make run` and `make test` can call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v riscv64-unknown-elf-gcc >/dev/null || need_apt+=(gcc-riscv64-unknown-elf)
command -v riscv64-unknown-elf-as >/dev/null || need_apt+=(binutils-riscv64-unknown-elf)
command -v perl >/dev/null || need_apt+=(perl)
command -v g++ >/dev/null || need_apt+=(g++)
command -v make >/dev/null || need_apt+=(make)
[ -f /usr/include/lz4.h ] || need_apt+=(liblz4-dev)  # Verilator's FST waveform writer
[ -f /usr/include/zlib.h ] || need_apt+=(zlib1g-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install: apt-get install ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv

# The stamp holds a hash of pyproject.toml: pip runs again only when the dependencies changed.
stamp=.venv/.snnsoc-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "install: pip install -e '.[dev]' (torch CPU 2.13.0)" >&2
  # pip, not uv/poetry: only pip sees the local CPU torch wheel.
  .venv/bin/pip install -q --disable-pip-version-check torch==2.13.0 -e '.[dev]'
  echo "$want" > "$stamp"
fi
