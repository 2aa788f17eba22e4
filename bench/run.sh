#!/usr/bin/env bash
# The import and reconcile benchmark anyone can rerun:
#
#   bench/run.sh [--sizes 10k,100k,1m]
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
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="10k,100k,1m"
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    *) echo "usage: bench/run.sh [--sizes 10k,100k,1m]" >&2; exit 2 ;;
  esac
done

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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

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
  read -r import_s import_mb <<<"$(measure "$billgap" import "$vendor")"
  # The same file again, as a daily scheduled import of an unchanged export: "already imported".
  read -r again_s _ <<<"$(measure "$billgap" import "$vendor")"
  read -r psa_s psa_mb <<<"$(measure "$billgap" import "$psa")"
  read -r map_s map_mb <<<"$(measure "$billgap" map --from "$work/files/mappings.csv")"
  read -r gaps_s gaps_mb <<<"$(measure sh -c "\"$billgap\" gaps --format json >/dev/null; test \$? -le 1")"
  if command -v sqlite3 >/dev/null 2>&1; then
    read -r sqlite_s sqlite_mb <<<"$(measure sqlite3 "$work/plain.sqlite" ".mode csv" ".import $vendor nce")"
    sqlite="$sqlite_s s, $sqlite_mb MB ($(ratio "$sqlite_s" "$import_s"))"
  else
    sqlite="skipped (no sqlite3)"
  fi
  if [ -n "$floor" ]; then
    read -r floor_s floor_mb <<<"$(measure "$floor" "$vendor")"
    floor_text="$floor_s s, $floor_mb MB ($(ratio "$import_s" "$floor_s") of it)"
  else
    floor_text="skipped"
  fi
  # The PSA at scale: a company for every five lines (about 1.1M lines and 200,000 companies
  # at 1m), where every line is a position of its own.
  "$billgap" generate --clients $(( lines / 5 < 50 ? 50 : lines / 5 )) --lines "$lines" --seed 42 \
    --out "$work/scale" 2>/dev/null
  scale_psa="$work/scale/connectwise-additions.csv"
  read -r scale_s scale_mb <<<"$(BILLGAP_DB="$work/scale.sqlite" measure "$billgap" import "$scale_psa")"
  if command -v sqlite3 >/dev/null 2>&1; then
    read -r scale_sqlite_s _ <<<"$(measure sqlite3 "$work/scale-plain.sqlite" ".mode csv" ".import $scale_psa cw")"
    scale_text="$scale_s s, $scale_mb MB (sqlite3 $scale_sqlite_s s, $(ratio "$scale_sqlite_s" "$scale_s"))"
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
