# Sourced by bench/run.sh, bench/compare.sh and bench/instructions.sh: `prepare_corpus N` makes (once) the standard
# corpus of N incidents in "$work/corpus-N" with the benchmark site's configuration and theme,
# and "$work/full-N", the same incidents as a default site. Sets $corpus and $full.
prepare_corpus() {
  local n=$1
  corpus="$work/corpus-$n"
  if [ ! -d "$corpus/content" ]; then
    python3 ../shared/bench/gen_corpus.py --count "$n" --out "$corpus" >/dev/null
  fi
  cp bench/site/casebook.yaml "$corpus/"
  rm -rf "$corpus/themes"; cp -r bench/site/themes "$corpus/"
  full="$work/full-$n"; rm -rf "$full"; mkdir -p "$full"; ln -s "$corpus/content" "$full/content"
}
