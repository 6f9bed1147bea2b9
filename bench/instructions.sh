#!/usr/bin/env bash
# Counts the instructions two casebook binaries execute for the same builds, with valgrind's
# callgrind, beside the floor program's. Instruction counts barely move from run to run, where
# wall time on a shared 2-core machine moves by 20%: this tells whether a change made the work
# smaller, bench/run.sh and bench/compare.sh tell what it is worth in seconds.
#
#   bench/instructions.sh BEFORE AFTER [COUNT]      (default COUNT: 1000; valgrind is ~50x slower)
#   KINDS=full bench/instructions.sh ...            (only the full site; default: "bench full")
#
# Corpora and output go where bench/run.sh puts them (BENCH_DIR, default /dev/shm/casebook-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bench/instructions.sh BEFORE AFTER [COUNT]" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "bench/instructions.sh needs valgrind (apt install valgrind)" >&2; exit 2; }
before=$1 after=$2 n=${3:-1000}
work=${BENCH_DIR:-/dev/shm/casebook-bench}
mkdir -p "$work"
. bench/corpus.sh
prepare_corpus "$n"
cargo build --release --quiet --manifest-path ../shared/bench/floor/Cargo.toml --target-dir target/floor

# Instructions executed by a command, every thread included.
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

floor=$(count target/floor/release/floor "$corpus/content" "$work/out-floor")
printf '%-8s %-6s %16s %16s %9s %9s\n' incidents build "before" "after" change "x floor"
for kind in ${KINDS:-bench full}; do
  if [ "$kind" = bench ]; then args=(--root "$corpus"); else args=(--root "$full" --base-url https://bench.example/); fi
  declare -A got=()
  for side in before after; do
    bin=$before; [ "$side" = after ] && bin=$after
    rm -rf "$work/out-instr" "$work/.out-instr.casebook-state"
    got[$side]=$(count "$bin" -q build "${args[@]}" --output "$work/out-instr")
  done
  printf '%-8s %-6s %16s %16s %8.1f%% %9.2f\n' "$n" "$kind" "${got[before]}" "${got[after]}" \
    "$(echo "100 * (${got[after]} - ${got[before]}) / ${got[before]}" | bc -l)" \
    "$(echo "${got[after]} / $floor" | bc -l)"
  unset got
done
echo "floor: $floor instructions"
