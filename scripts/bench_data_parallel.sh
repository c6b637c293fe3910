#!/usr/bin/env bash
# Data-parallel training speed: the same run plain, under `mpirun -np 1` and `mpirun -np 2` (the
# all-reduce overlapped with back-propagation, the default, and after it with MUSE_MPI_OVERLAP=0);
# prints steps/s of each and rank 0's all-reduce time per step (the time the step spends in the
# all-reduce that back-propagation did not hide, including any wait for the slower process).
# Two models: Magenta's melody RNN (2x128, global batch 64; 0.9 MB of gradients, one 4 MB bucket)
# and a GPT (4 layers, width 128, on this repository's README as text; 3.3 MB of gradients) with
# 512 kB buckets, so that several buckets can start while back-propagation runs.
#   scripts/bench_data_parallel.sh [corpus] [steps]      (default corpora/oneills, 40 steps)
#   BENCH_MODELS=gpt scripts/bench_data_parallel.sh      (one of the two: melody, gpt)
# Needs the release build (.build/release/muse) and Open MPI (scripts/setup.sh installs it).
set -euo pipefail
MUSE=${MUSE:-.build/release/muse}
CORPUS=${1:-corpora/oneills}
STEPS=${2:-40}
[ -x "$MUSE" ] || { echo "bench: build muse first (make build)" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "bench: mpirun missing (scripts/setup.sh)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
MELODY=(train melody-rnn --corpus "$CORPUS" --hidden-size 128 --num-layers 2 --batch-size 64 --sequence-length 64 --dropout 0
        --seed 1 --eval-every 0 --checkpoint-every 100000 --num-steps "$STEPS")
GPT=(train gpt --text README.md --n-layer 4 --n-head 4 --n-embd 128 --block-size 64 --batch-size 16 --seed 1
     --eval-interval 100000 --max-iters "$STEPS")
MPI=(mpirun --allow-run-as-root --oversubscribe -x MUSE_MPI_BUCKET_BYTES="${BUCKET_BYTES:-4194304}")

run() {  # name, launcher words… -- model words…
  local name=$1; shift
  local launcher=()
  while [ "$1" != "--" ]; do launcher+=("$1"); shift; done
  shift
  ${launcher[@]+"${launcher[@]}"} "$MUSE" "$@" --output "$WORK/$name" > "$WORK/$name.log" 2>&1
  local rate reduce
  rate=$(grep -o "step $STEPS/$STEPS  [0-9.]* steps/s" "$WORK/$name.log" | awk '{print $3}' || true)
  [ -n "$rate" ] || { echo "$name failed:"; tail -3 "$WORK/$name.log"; return 0; }
  reduce=$(grep -o "all-reduce: [0-9.]* ms per step ([0-9]* values" "$WORK/$name.log" | sed 's/all-reduce: //; s/ ms per step (/ ms, /' || true)
  printf "%-16s %8s steps/s   all-reduce %s\n" "$name" "$rate" "${reduce:-none (plain run)}"
}

bench() {  # title, model words…
  echo "$1, $STEPS steps, $(nproc) cores, buckets of ${BUCKET_BYTES:-4194304} bytes"
  shift
  run plain -- "$@"
  run np1 "${MPI[@]}" -np 1 -- "$@"
  run np2 "${MPI[@]}" -np 2 -- "$@"
  run np2-after "${MPI[@]}" -x MUSE_MPI_OVERLAP=0 -np 2 -- "$@"
}

MODELS=" ${BENCH_MODELS:-melody gpt} "
[[ $MODELS == *" melody "* ]] && bench "melody RNN 2x128, global batch 64 x 64 steps, corpus $CORPUS" "${MELODY[@]}"
[[ $MODELS == *" gpt "* ]] || exit 0
BUCKET_BYTES=${BUCKET_BYTES:-524288}
MPI=(mpirun --allow-run-as-root --oversubscribe -x MUSE_MPI_BUCKET_BYTES="$BUCKET_BYTES")
bench "GPT 4x128, global batch 16 x 64 tokens, README.md as text" "${GPT[@]}"
