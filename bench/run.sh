#!/usr/bin/env bash
# Builds the standard corpus with the floor program, with casebook (the minimal benchmark
# theme in bench/site/, same pages as the peers' benchmark; and the full default site) and,
# where `hugo` is installed, with Hugo (the same incidents as a Hugo site, `--flavor hugo`), on
# a RAM disk, alternating, and prints the median wall time and peak memory of each, with
# ratios to the floor.
#
#   bench/run.sh [COUNT ...]        (default: 1000 10000; RUNS rounds, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(1000 10000)
runs=${RUNS:-5}
work=${BENCH_DIR:-/dev/shm/casebook-bench}
mkdir -p "$work"
. bench/corpus.sh

cargo build --release --quiet
cargo build --release --quiet --manifest-path ../shared/bench/floor/Cargo.toml --target-dir target/floor
cargo build --release --quiet --manifest-path bench/write-floor/Cargo.toml --target-dir target/write-floor

. bench/clock.sh

# One timed run of a command: appends "seconds KB" to the file $1.
timed() {
  local log=$1 secs; shift
  secs=$(wall /usr/bin/time -f "%M" -o "$work/time.txt" "$@")
  echo "$secs $(tail -1 "$work/time.txt")" >> "$log"
}

# "median-seconds max-KB" of the runs logged in file $1
summary() {
  local t m
  t=$(cut -d' ' -f1 "$1" | sort -n | sed -n "$(( ($(wc -l < "$1") + 1) / 2 ))p")
  m=$(cut -d' ' -f2 "$1" | sort -n | tail -1)
  echo "$t $m"
}

printf '%-8s %-22s %10s %10s %8s\n' incidents build seconds "peak MiB" "x floor"
for n in "${counts[@]}"; do
  prepare_corpus "$n"
  # An output folder per size: a build replaces the last output in its folder, and replacing
  # another size's output (removing 100,000 incidents' pages before writing 10,000) would be
  # timed with it.
  floor=(target/floor/release/floor "$corpus/content" "$work/out-floor-$n")
  bench=(target/release/casebook -q build --root "$corpus" --output "$work/out-bench-$n")
  # The full site: the default theme and every output, from the same incidents.
  site=(target/release/casebook -q build --root "$full" --output "$work/out-full-$n" --base-url https://bench.example/)
  # Hugo, where installed, on the same incidents as a Hugo site with the same pages.
  hugo=()
  if command -v hugo >/dev/null 2>&1; then
    hugo_site="$work/hugo-$n"
    [ -d "$hugo_site/content" ] || python3 ../shared/bench/gen_corpus.py --count "$n" --out "$hugo_site" --flavor hugo >/dev/null
    hugo=(hugo --quiet --source "$hugo_site" --destination "$work/out-hugo")
  fi
  rm -f "$work"/log-*
  # Untimed, once: every timed build then replaces the output of the same build, as the floor
  # program overwrites its own files, instead of the first one writing into an empty folder.
  "${floor[@]}" >/dev/null
  rm -f "$work"/.out-*.casebook-state; "${bench[@]}"
  rm -f "$work"/.out-*.casebook-state; "${site[@]}"
  # What writing the full site's files alone costs, replacing the last copy as a build does
  # and overwriting it in place (bench/write-floor): its own timing, without reading them.
  rm -rf "$work/write-src-$n"; cp -a "$work/out-full-$n" "$work/write-src-$n"
  write=(target/write-floor/release/write-floor "$work/write-src-$n" "$work/out-write-$n")
  "${write[@]}" >/dev/null
  # Alternating, round by round, so that the machine's noise falls on all alike. A full
  # build each time: without its state file casebook cannot skip unchanged work.
  for _ in $(seq "$runs"); do
    timed "$work/log-floor" "${floor[@]}"
    rm -f "$work"/.out-*.casebook-state; timed "$work/log-bench" "${bench[@]}"
    rm -f "$work"/.out-*.casebook-state; timed "$work/log-full" "${site[@]}"
    echo "$("${write[@]}") 0" >> "$work/log-write"
    echo "$("${write[@]}" --in-place) 0" >> "$work/log-write-in-place"
    if [ ${#hugo[@]} -gt 0 ]; then rm -rf "$work/out-hugo"; timed "$work/log-hugo" "${hugo[@]}"; fi
  done
  # Building again with nothing changed: the state of the last full build is kept.
  for _ in $(seq "$runs"); do timed "$work/log-noop" "${site[@]}"; done
  read -r floor_t floor_m < <(summary "$work/log-floor")
  read -r bench_t bench_m < <(summary "$work/log-bench")
  read -r full_t full_m < <(summary "$work/log-full")
  read -r noop_t noop_m < <(summary "$work/log-noop")
  read -r write_t write_m < <(summary "$work/log-write")
  read -r place_t place_m < <(summary "$work/log-write-in-place")
  rows=("floor $floor_t $floor_m" "casebook-bench-theme $bench_t $bench_m" "casebook-full-site $full_t $full_m"
    "full-site-no-change $noop_t $noop_m" "write-full-output $write_t $write_m" "write-full-in-place $place_t $place_m")
  if [ ${#hugo[@]} -gt 0 ]; then
    read -r hugo_t hugo_m < <(summary "$work/log-hugo")
    rows+=("hugo-$(hugo version | grep -o 'v[0-9.]*' | head -1) $hugo_t $hugo_m")
  fi
  for row in "${rows[@]}"; do
    read -r name t m <<<"$row"
    mib=$((m / 1024)); [ "$m" -gt 0 ] || mib=-
    printf '%-8s %-22s %10s %10s %8.1f\n' "$n" "$name" "$t" "$mib" "$(echo "$t / $floor_t" | bc -l)"
  done
  # A RAM disk holds its files in memory: the outputs go once measured.
  rm -rf "$work/out-floor-$n" "$work/out-bench-$n" "$work/out-full-$n" "$work/out-hugo" "$work"/.out-*-"$n".casebook-state \
    "$work/write-src-$n" "$work/out-write-$n"
done

echo
echo "Preview: time from saving an incident to its page being written (bench/incremental.py)"
for n in "${counts[@]}"; do
  site="$work/preview-$n"; rm -rf "$site"; mkdir -p "$site"; cp -r "$work/corpus-$n/content" "$site/"
  printf 'title: bench\nbase_url: https://bench.example/\n' > "$site/casebook.yaml"
  echo "$n incidents:"
  python3 bench/incremental.py "$site" --edits "${EDITS:-7}" | tail -4
done
