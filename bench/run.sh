#!/usr/bin/env bash
# The import and reconcile benchmark anyone can rerun:
#
#   bench/run.sh [--sizes 10k,100k,1m] [--rounds N]
#
# For each size it generates the same deterministic pair of exports (`billgap generate`, seed
# 42), then measures in the same run, one after another:
#   - billgap import of the vendor file, and of the PSA file, into a fresh database, and the
#     vendor file once more ("already imported", as a daily import of an unchanged export);
#   - the baselines on the same vendor file: the sqlite3 CLI `.import` (untyped, no indexes),
#     installed with apt-get when missing and possible, and the parse-only floor (the csv
#     crate reading every record, `benches/csv_floor.rs`);
#   - mapping everything (`map --from`) and the reconcile plus report (`gaps --format json`);
#   - the PSA at scale: a ConnectWise file with a company for every five lines, imported by
#     billgap and by the sqlite3 CLI;
#   - clients at scale: the same pair with its vendor file and every mapping, as many clients
#     as companies, then `map --from` and the reconcile plus report.
# Each figure is wall time with peak RSS (GNU time), and the import with its ratio to both
# baselines.
#
# A shared or throttled machine changes speed within minutes, so one run compares an import
# with baselines measured at another moment. `--rounds N` runs the imports and their baselines
# (the vendor file: billgap, sqlite3, the floor; the PSA at scale: billgap, sqlite3) N times,
# each round one after the other, and prints the median time, the highest peak RSS, and each
# ratio as the median of the rounds' own ratios with their range.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="10k,100k,1m"
rounds=1
usage="usage: bench/run.sh [--sizes 10k,100k,1m] [--rounds N]"
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
case "$rounds" in
  ''|*[!0-9]*|0) echo "--rounds takes a whole number of rounds, 1 or more; $usage" >&2; exit 2 ;;
esac

if ! command -v sqlite3 >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y -qq sqlite3 >/dev/null 2>&1 || apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq sqlite3 >/dev/null 2>&1 || true
  fi
fi
# GNU time gives peak RSS; without it the figures are wall time only.
timer=/usr/bin/time
[ -x "$timer" ] || timer=""

cargo build --release --quiet --bin billgap
cargo bench --quiet --bench csv_floor --no-run >/dev/null 2>&1
floor=$(ls -t target/release/deps/csv_floor-* 2>/dev/null | grep -v '\.d$' | head -1)
billgap=target/release/billgap

# Runs a command, prints "seconds peak-MB" for it; its output goes to $work/last.out.
measure() {
  if [ -n "$timer" ]; then
    "$timer" -f "%e %M" -o "$work/time" "$@" >"$work/last.out" 2>&1 || {
      echo "failed: $*" >&2; cat "$work/last.out" >&2; exit 1; }
    awk '{printf "%s %.0f", $1, $2/1024}' "$work/time"
  else
    local started ended
    started=$(date +%s.%N)
    "$@" >"$work/last.out" 2>&1 || { echo "failed: $*" >&2; cat "$work/last.out" >&2; exit 1; }
    ended=$(date +%s.%N)
    awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2f ?", b - a }'
  fi
}
# The median of its arguments (the mean of the middle two for an even count).
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# The smallest and the largest of their arguments.
smallest() { printf '%s\n' "$@" | sort -g | head -1; }
largest() { printf '%s\n' "$@" | sort -g | tail -1; }
# "a/b" for each round's pair of times, then their median ratio, with the range over rounds:
# `ratios "2.0 1.0" "3.0 1.0"` prints `2.50x (2.00-3.00x over 2 rounds)`. A time too short to
# measure (0.00 s) gives no ratio.
ratios() {
  local each=() pair
  for pair in "$@"; do
    read -r top bottom <<<"$pair"
    if awk -v b="$bottom" 'BEGIN { exit !(b > 0) }'; then
      each+=("$(awk -v a="$top" -v b="$bottom" 'BEGIN { printf "%.4f", a / b }')")
    fi
  done
  if [ ${#each[@]} -eq 0 ]; then
    printf -- "-"
  elif [ ${#each[@]} -eq 1 ]; then
    awk -v r="${each[0]}" 'BEGIN { printf "%.2fx", r }'
  else
    awk -v m="$(median "${each[@]}")" -v lo="$(smallest "${each[@]}")" \
      -v hi="$(largest "${each[@]}")" -v n=${#each[@]} \
      'BEGIN { printf "%.2fx (%.2f-%.2fx over %d rounds)", m, lo, hi, n }'
  fi
}

# Imports the CSV `$1` with billgap into a fresh database, and into table `$3` of another with
# the sqlite3 CLI, `$rounds` times one after the other, with the parse floor too when `$4` is
# "floor". The first round's database is kept at `$2` for the steps after; the others are
# thrown away. The times are left in the race_* arrays, and the floor's peak MB in floor_mb.
race() {
  local file=$1 kept=$2 table=$3 with_floor=${4:-} round db one_s one_mb sqlite_one floor_one
  race_times=(); race_mbs=(); race_sqlite_times=(); race_sqlite_pairs=()
  race_floor_times=(); race_floor_pairs=()
  for round in $(seq "$rounds"); do
    db=$kept
    if [ "$round" -gt 1 ]; then db="$work/round.sqlite"; rm -f "$db" "$db-wal" "$db-shm"; fi
    read -r one_s one_mb <<<"$(BILLGAP_DB="$db" measure "$billgap" import "$file")"
    race_times+=("$one_s"); race_mbs+=("$one_mb")
    if command -v sqlite3 >/dev/null 2>&1; then
      rm -f "$work/plain.sqlite"
      read -r sqlite_one _ <<<"$(measure sqlite3 "$work/plain.sqlite" ".mode csv" ".import $file $table")"
      race_sqlite_times+=("$sqlite_one"); race_sqlite_pairs+=("$sqlite_one $one_s")
    fi
    if [ -n "$with_floor" ] && [ -n "$floor" ]; then
      read -r floor_one floor_mb <<<"$(measure "$floor" "$file")"
      race_floor_times+=("$floor_one"); race_floor_pairs+=("$one_s $floor_one")
    fi
  done
}

printf '%-6s %-32s %-22s %-22s %-12s %-16s %-16s %-44s %s\n' size "billgap import (s, MB; again)" "sqlite3 .import" "csv parse floor" "PSA import" "map --from" "reconcile+report" "PSA at scale (1 company per 5 lines)" "clients at scale: map --from, reconcile+report"
IFS=',' read -r -a list <<<"$sizes"
for size in "${list[@]}"; do
  case "$size" in
    *k) lines=$(( ${size%k} * 1000 )) ;;
    *m) lines=$(( ${size%m} * 1000000 )) ;;
    *) lines=$size ;;
  esac
  clients=$(( lines / 50 )); [ $clients -lt 50 ] && clients=50; [ $clients -gt 2000 ] && clients=2000
  work=$(mktemp -d)
  "$billgap" generate --clients "$clients" --lines "$lines" --seed 42 --out "$work/files" 2>/dev/null
  vendor="$work/files/partner-center-nce.csv"; psa="$work/files/connectwise-additions.csv"
  export BILLGAP_DB="$work/billgap.sqlite"
  race "$vendor" "$work/billgap.sqlite" nce floor
  import_s=$(median "${race_times[@]}"); import_mb=$(largest "${race_mbs[@]}")
  if [ ${#race_sqlite_pairs[@]} -gt 0 ]; then
    sqlite="$(median "${race_sqlite_times[@]}") s ($(ratios "${race_sqlite_pairs[@]}"))"
  else
    sqlite="skipped (no sqlite3)"
  fi
  if [ ${#race_floor_pairs[@]} -gt 0 ]; then
    floor_text="$(median "${race_floor_times[@]}") s, $floor_mb MB ($(ratios "${race_floor_pairs[@]}") of it)"
  else
    floor_text="skipped"
  fi
  # The same file again, as a daily scheduled import of an unchanged export: "already imported".
  read -r again_s _ <<<"$(measure "$billgap" import "$vendor")"
  read -r psa_s psa_mb <<<"$(measure "$billgap" import "$psa")"
  read -r map_s map_mb <<<"$(measure "$billgap" map --from "$work/files/mappings.csv")"
  read -r gaps_s gaps_mb <<<"$(measure sh -c "\"$billgap\" gaps --format json >/dev/null; test \$? -le 1")"
  # The PSA at scale: a company for every five lines (about 1.1M lines and 200,000 companies
  # at 1m), where every line is a position of its own.
  "$billgap" generate --clients $(( lines / 5 < 50 ? 50 : lines / 5 )) --lines "$lines" --seed 42 \
    --out "$work/scale" 2>/dev/null
  scale_psa="$work/scale/connectwise-additions.csv"
  race "$scale_psa" "$work/scale.sqlite" cw
  scale_s=$(median "${race_times[@]}"); scale_mb=$(largest "${race_mbs[@]}")
  if [ ${#race_sqlite_pairs[@]} -gt 0 ]; then
    scale_text="$scale_s s, $scale_mb MB (sqlite3 $(median "${race_sqlite_times[@]}") s, $(ratios "${race_sqlite_pairs[@]}"))"
  else
    scale_text="$scale_s s, $scale_mb MB"
  fi
  # The same files with their vendor side and every mapping: as many clients as companies,
  # where a step that is linear per client but reads every client again turns quadratic.
  BILLGAP_DB="$work/scale.sqlite" "$billgap" import "$work/scale/partner-center-nce.csv" >/dev/null 2>&1
  read -r clients_map_s _ <<<"$(BILLGAP_DB="$work/scale.sqlite" measure "$billgap" map --from "$work/scale/mappings.csv")"
  read -r clients_gaps_s clients_gaps_mb <<<"$(BILLGAP_DB="$work/scale.sqlite" measure sh -c "\"$billgap\" gaps --format json >/dev/null; test \$? -le 1")"
  clients_text="$(( lines / 5 < 50 ? 50 : lines / 5 )) clients: $clients_map_s s, $clients_gaps_s s, $clients_gaps_mb MB"
  printf '%-6s %-32s %-22s %-22s %-12s %-16s %-16s %-44s %s\n' "$size" "$import_s s, $import_mb MB; again $again_s s" "$sqlite" "$floor_text" "$psa_s s, $psa_mb MB" "$map_s s" "$gaps_s s, $gaps_mb MB" "$scale_text" "$clients_text"
  rm -rf "$work"
done
echo "(sqlite3 ratio: its time over billgap's, above 1 means billgap is faster; floor ratio: billgap's time over the parse floor)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
