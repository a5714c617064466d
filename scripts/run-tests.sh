#!/usr/bin/env bash
# Builds everything and runs the whole test suite (xunit): instruction-level tests on every
# backend, IR passes, devices and loader, every guest image on every backend, and the direct
# comparison with QEMU (category "Qemu"). Arguments go to `dotnet test`, e.g.
#   scripts/run-tests.sh --filter "Category!=Qemu"
# The whole suite takes about 18 minutes on two cores; most of it is the differential run on
# the LLVM backend (category "Differential").
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
echo "test: dotnet test (Release)"
dotnet test tests/Transmeta.Tests -c Release --nologo "$@"
