#!/usr/bin/env bash
# Installs what the reference benchmarks need (Debian/Ubuntu):
#   python3-torch, python3-numpy  -> torch_reference.py (run with /usr/bin/python3)
#   libopenblas0-openmp           -> an optimized BLAS for Debian's torch/numpy.
#                                    NOTE: without libopenblas0-openmp Debian's torch
#                                    falls back to the reference (netlib) BLAS, which is
#                                    many times slower and makes the comparison meaningless.
#   gcc                           -> compiles sgemm_openblas.c
# Idempotent: does nothing when everything is already present.
set -euo pipefail

PY=/usr/bin/python3
DEB_OPENBLAS=/usr/lib/x86_64-linux-gnu/libopenblas.so.0

need=0
if [[ ! -x "$PY" ]] || ! "$PY" -c 'import torch, numpy' >/dev/null 2>&1; then
  echo "install-reference: $PY cannot import torch and numpy" >&2
  need=1
fi
if [[ ! -e "$DEB_OPENBLAS" ]] || ! dpkg -s libopenblas0-openmp >/dev/null 2>&1; then
  echo "install-reference: Debian OpenBLAS (libopenblas0-openmp) missing" >&2
  need=1
fi
if ! command -v gcc >/dev/null 2>&1; then
  echo "install-reference: gcc missing" >&2
  need=1
fi

if [[ $need -eq 0 ]]; then
  echo "install-reference: already installed ($("$PY" -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)'))"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi

"${SUDO[@]}" apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
  python3-torch python3-numpy libopenblas0-openmp gcc

"$PY" -c 'import torch, numpy; print("install-reference: torch", torch.__version__, "numpy", numpy.__version__)'
