#!/usr/bin/env bash
# Compares two casebook binaries on the same corpora in one run, alternating them so that the
# machine's noise falls on both alike, and prints the median wall time and peak memory of each
# for the benchmark theme and the full default site. For "before -> after" figures:
#
#   git worktree add /tmp/before <commit> && (cd /tmp/before && cargo build --release)
#   bench/compare.sh /tmp/before/target/release/casebook target/release/casebook [COUNT ...]
#   KINDS=bench bench/compare.sh ...   (only the benchmark theme; default: "bench full")
#
# Corpora and output go where bench/run.sh puts them (BENCH_DIR, default /dev/shm/casebook-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bench/compare.sh BEFORE AFTER [COUNT ...]" >&2; exit 2; }
before=$1 after=$2; shift 2
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(10000)
runs=${RUNS:-5}
work=${BENCH_DIR:-/dev/shm/casebook-bench}
mkdir -p "$work"
. bench/corpus.sh
. bench/clock.sh

median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }

# CPU seconds (user + system) vary less than wall time on a shared machine: shown beside it.
printf '%-8s %-6s %9s %9s %9s %9s %11s %11s\n' incidents build "before s" "after s" \
  "before cpu" "after cpu" "before MiB" "after MiB"
for n in "${counts[@]}"; do
  prepare_corpus "$n"
  for kind in ${KINDS:-bench full}; do
    if [ "$kind" = bench ]; then args=(--root "$corpus"); else args=(--root "$full" --base-url https://bench.example/); fi
    declare -A t=() m=() c=()
    # An output folder per binary, kind and size, built once untimed: each timed build then
    # replaces the output of the same build, never a larger one left by another kind or size.
    for side in before after; do
      bin=$before; [ "$side" = after ] && bin=$after
      rm -f "$work/.out-compare-$side-$kind-$n.casebook-state"
      "$bin" -q build "${args[@]}" --output "$work/out-compare-$side-$kind-$n" >/dev/null 2>&1
    done
    for _ in $(seq "$runs"); do
      for side in before after; do
        bin=$before; [ "$side" = after ] && bin=$after
        out="$work/out-compare-$side-$kind-$n"
        rm -f "$work/.out-compare-$side-$kind-$n.casebook-state"
        secs=$(wall /usr/bin/time -f "%M %U %S" -o "$work/time.txt" "$bin" -q build "${args[@]}" --output "$out")
        read -r kb user sys < <(tail -1 "$work/time.txt")
        t[$side]+="$secs "; m[$side]+="$kb "; c[$side]+="$(echo "$user + $sys" | bc) "
      done
    done
    med() { tr ' ' '\n' <<<"${t[$1]}" | grep . | median; }
    cpu() { tr ' ' '\n' <<<"${c[$1]}" | grep . | median; }
    peak() { tr ' ' '\n' <<<"${m[$1]}" | grep . | sort -n | tail -1; }
    printf '%-8s %-6s %9s %9s %9s %9s %11d %11d\n' "$n" "$kind" "$(med before)" "$(med after)" \
      "$(cpu before)" "$(cpu after)" $(( $(peak before) / 1024 )) $(( $(peak after) / 1024 ))
    unset t m c
    rm -rf "$work"/out-compare-*-"$kind-$n" "$work"/.out-compare-*-"$kind-$n".casebook-state
  done
done
