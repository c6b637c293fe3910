#!/usr/bin/env bash
# Data-parallel training speed: the same melody RNN run (global batch 64) plain, under
# `mpirun -np 1` and `mpirun -np 2`; prints steps/s of each and rank 0's all-reduce time per step.
#   scripts/bench_data_parallel.sh [corpus] [steps]      (default corpora/oneills, 40 steps)
# Needs the release build (.build/release/muse) and Open MPI (scripts/setup.sh installs it).
set -euo pipefail
MUSE=${MUSE:-.build/release/muse}
CORPUS=${1:-corpora/oneills}
STEPS=${2:-40}
[ -x "$MUSE" ] || { echo "bench: build muse first (make build)" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "bench: mpirun missing (scripts/setup.sh)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
MODEL=(--hidden-size 128 --num-layers 2 --batch-size 64 --sequence-length 64 --dropout 0 --seed 1
       --eval-every 0 --checkpoint-every 100000 --num-steps "$STEPS")

run() {  # name, launcher words…
  local name=$1; shift
  "$@" "$MUSE" train melody-rnn --corpus "$CORPUS" --output "$WORK/$name" "${MODEL[@]}" > "$WORK/$name.log" 2>&1
  local rate reduce
  rate=$(grep -o "step $STEPS/$STEPS  [0-9.]* steps/s" "$WORK/$name.log" | awk '{print $3}')
  reduce=$(grep -o "all-reduce: [0-9.]* ms per step ([0-9]* values" "$WORK/$name.log" | sed 's/all-reduce: //; s/ ms per step (/ ms, /' || true)
  printf "%-8s %8s steps/s   all-reduce %s\n" "$name" "$rate" "${reduce:-none (plain run)}"
}

echo "melody RNN 2x128, global batch 64 x 64 steps, $STEPS steps, corpus $CORPUS, $(nproc) cores"
run plain
run np1 mpirun --allow-run-as-root --oversubscribe -np 1
run np2 mpirun --allow-run-as-root --oversubscribe -np 2
