#!/usr/bin/env bash
# Builds the standard corpus with the floor program and with casebook (the minimal benchmark
# theme in bench/site/, same pages as the peers' benchmark; and the full default site), on a
# RAM disk, and prints the median wall time and peak memory of each, with ratios to the floor.
#
#   bench/run.sh [COUNT ...]        (default: 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(1000 10000)
runs=${RUNS:-5}
work=${BENCH_DIR:-/dev/shm/casebook-bench}
mkdir -p "$work"
. bench/corpus.sh

cargo build --release --quiet
cargo build --release --quiet --manifest-path ../shared/bench/floor/Cargo.toml --target-dir target/floor

# median seconds and max KB over $runs runs of a command
measure() {
  local times=() mems=()
  for _ in $(seq "$runs"); do
    # A full build each time: without its state file casebook cannot skip unchanged work.
    [ -n "${keep_state:-}" ] || rm -f "$work"/.out-*.casebook-state
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>&1
    local out
    out=$(tail -1 "$work/time.txt")
    times+=("${out% *}"); mems+=("${out#* }")
  done
  local t m
  t=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  m=$(printf '%s\n' "${mems[@]}" | sort -n | tail -1)
  echo "$t $m"
}

# like measure, but after one build and keeping its state: a rebuild with nothing changed
measure_again() {
  "$@" >/dev/null 2>&1
  keep_state=1 measure "$@"
}

printf '%-8s %-22s %10s %10s %8s\n' incidents build seconds "peak MiB" "x floor"
for n in "${counts[@]}"; do
  prepare_corpus "$n"
  read -r floor_t floor_m < <(measure target/floor/release/floor "$corpus/content" "$work/out-floor")
  read -r bench_t bench_m < <(measure target/release/casebook -q build --root "$corpus" --output "$work/out-bench")
  # The full site: the default theme and every output, from the same incidents.
  read -r full_t full_m < <(measure target/release/casebook -q build --root "$full" --output "$work/out-full" --base-url https://bench.example/)
  # Building again with nothing changed, then after one incident's body changed.
  read -r noop_t noop_m < <(measure_again target/release/casebook -q build --root "$full" --output "$work/out-full" --base-url https://bench.example/)
  for row in "floor $floor_t $floor_m" "casebook-bench-theme $bench_t $bench_m" "casebook-full-site $full_t $full_m" "full-site-no-change $noop_t $noop_m"; do
    read -r name t m <<<"$row"
    printf '%-8s %-22s %10s %10d %8.1f\n' "$n" "$name" "$t" $((m / 1024)) "$(echo "$t / $floor_t" | bc -l)"
  done
done

echo
echo "Preview: time from saving an incident to its page being written (bench/incremental.py)"
for n in "${counts[@]}"; do
  site="$work/preview-$n"; rm -rf "$site"; mkdir -p "$site"; cp -r "$work/corpus-$n/content" "$site/"
  printf 'title: bench\nbase_url: https://bench.example/\n' > "$site/casebook.yaml"
  echo "$n incidents:"
  python3 bench/incremental.py "$site" --edits "${EDITS:-7}" | tail -4
done
