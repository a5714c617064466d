#!/usr/bin/env bash
# Builds Transmeta and runs the bundled default guest (SHA-256 over a buffer, a CPU-bound
# program) with the default (tiered) backend and statistics. Extra arguments go to `transmeta run`,
# e.g. --backend interp.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
echo "build: transmeta (Release)"
dotnet build src/Runner -c Release --nologo --verbosity quiet
echo "run: transmeta run tests/guest-images/bin/sha256.elf --stats $*"
exec dotnet src/Runner/bin/Release/net10.0/transmeta.dll run tests/guest-images/bin/sha256.elf --stats "$@"
