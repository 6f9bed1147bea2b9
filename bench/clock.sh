# Wall-clock timing for the benchmark scripts, sourced by run.sh and compare.sh.
#
# GNU time's %e counts hundredths of a second, and the floor program's 40-65 ms at 1,000
# incidents, rounded to them, made its ratios jump by a quarter. The shell's microsecond clock
# is read around the command instead, less what reading it around a command that does nothing
# costs (starting /usr/bin/time and a program: about 2 ms), measured once here. Without that
# start-up, figures come out about a millisecond below %e's.

if [ -z "${EPOCHREALTIME:-}" ]; then
  echo "bench/clock.sh: needs bash 5 or later (EPOCHREALTIME)" >&2
  exit 2
fi

# Microseconds since the epoch, whatever the locale's decimal point.
now_us() { echo "${EPOCHREALTIME/[.,]/}"; }

# Microseconds a command takes; its output is discarded, its failure returned.
raw_wall_us() {
  local start end
  start=$(now_us)
  "$@" >/dev/null 2>&1 || return 1
  end=$(now_us)
  echo $((end - start))
}

clock_overhead_us=$(for _ in 1 2 3 4 5 6 7 8 9; do raw_wall_us /usr/bin/time -f "%M" -o /dev/null true; done |
  sort -n | sed -n 5p)
if ! [[ $clock_overhead_us =~ ^[0-9]+$ ]]; then
  echo "bench/clock.sh: cannot time a command that does nothing (is /usr/bin/time installed?)" >&2
  exit 2
fi

# Seconds a command takes, to the millisecond, less the overhead of timing (never below 0).
wall() {
  local us
  us=$(raw_wall_us "$@") || return 1
  us=$((us - clock_overhead_us))
  ((us > 0)) || us=0
  printf '%d.%03d\n' $((us / 1000000)) $((us % 1000000 / 1000))
}
