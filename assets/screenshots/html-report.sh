#!/usr/bin/env bash
# Makes assets/screenshots/html-report.png, the picture of the HTML report in the README.
#
# It builds the sample's story in a temporary database: the October exports imported and
# mapped (assets/sample/mappings.csv), a review saved on 2026-11-18 (`billgap check --as-of`),
# then a corrected ConnectWise export imported in which one gap is fixed (Smith & Associates
# billed all 18 seats), one is new (Contoso Dental billed 13 of 14) and one is worse (Kowalski
# billed one EDR endpoint fewer). It writes the HTML report against that review and screenshots
# it, as of 2026-11-25, with headless Chromium (Debian: `apt-get install chromium`).
#
# Usage: assets/screenshots/html-report.sh [OUTPUT.png]   (run from anywhere in the repository)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
output=${1:-$root/assets/screenshots/html-report.png}
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chromium" ]; then
    echo "headless Chromium is needed: apt-get install chromium" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
cargo build --quiet --bin billgap
billgap="${CARGO_TARGET_DIR:-$root/target}/debug/billgap"
export BILLGAP_DB="$work/demo.sqlite" BILLGAP_CONFIG="$work/config.toml" NO_COLOR=1
printf '[alerts]\ncadence = "daily"\n' > "$BILLGAP_CONFIG"

sample=assets/sample
"$billgap" import "$sample/partner-center-nce-2026-10.csv" "$sample/pax8-2026-10.csv" > /dev/null
"$billgap" import --period 2026-10 "$sample/connectwise-additions-2026-10.csv" > /dev/null
"$billgap" map --from "$sample/mappings.csv" > /dev/null
# The saved review: exit 1 means gaps need action, which is the point of the picture.
"$billgap" check --as-of 2026-11-18 > /dev/null || [ $? -eq 1 ]

# The corrected export: three quantities changed, on lines matched by company and product.
sed -e 's/^\(SmithAssoc,.*,M365-BP-M,[^,]*\),16,/\1,18,/' \
    -e 's/^\(ContosoDen,.*,M365-BP-M,[^,]*\),14,/\1,13,/' \
    -e 's/^\(Kowalski,.*,SEC-EDR,[^,]*\),30,/\1,29,/' \
    "$sample/connectwise-additions-2026-10.csv" > "$work/connectwise-additions-2026-10-corrected.csv"
if cmp -s "$sample/connectwise-additions-2026-10.csv" "$work/connectwise-additions-2026-10-corrected.csv"; then
    echo "the corrected export changed nothing: the sample's lines moved" >&2
    exit 2
fi
"$billgap" import --period 2026-10 "$work/connectwise-additions-2026-10-corrected.csv" > /dev/null
# Made as of a fixed day, so the picture is the same whenever the script runs; exit 1 again
# means gaps over the threshold.
"$billgap" report --format html --as-of 2026-11-25 --since 2026-11-18 -o "$work/report.html" \
    || [ $? -eq 1 ]

# No network: the page is self-contained, and Chromium is told not to call home.
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$work/chromium" \
    --window-size=1060,2000 --screenshot="$output" "file://$work/report.html" 2> /dev/null
echo "wrote $output ($(du -k "$output" | cut -f1) KB)"
