# Wall-clock timing for the benchmark scripts, sourced by run.sh and compare.sh (which set
# LC_ALL=C: EPOCHREALTIME's decimal point is the locale's).
#
# GNU time's %e counts hundredths of a second, and the floor program's 40-50 ms at 1,000
# incidents, rounded to them, made its ratios jump by a quarter. The shell's microsecond clock
# is read around the command instead, less what reading it around a command that does nothing
# costs (starting /usr/bin/time and a program: about 2 ms), measured once here.

# Seconds a command takes, to the millisecond; its output is discarded, its failure returned.
raw_wall() {
  local start=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || return 1
  local end=$EPOCHREALTIME
  echo "$end - $start" | bc
}

clock_overhead=$(for _ in 1 2 3 4 5 6 7 8 9; do raw_wall /usr/bin/time -f "%M" -o /dev/null true; done |
  sort -n | sed -n 5p)

# `raw_wall`, less the overhead of timing.
wall() {
  local secs
  secs=$(raw_wall "$@") || return 1
  printf '%.3f\n' "$(echo "$secs - $clock_overhead" | bc)"
}
