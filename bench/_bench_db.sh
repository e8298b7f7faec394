# Sourced by bench/run_bench_*.sh: goes to the checkout's root, sources tools/setup and defines
#   DB        the bench database: $ICC_BENCH_DB, else ${ICC_DB_PREFIX:-icc}_bench;
#   bench_db  [MODULES]: drops $DB and creates it afresh with MODULES (default: the addon).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. tools/setup
DB="${ICC_BENCH_DB:-${ICC_DB_PREFIX:-icc}_bench}"
bench_db() {
    dropdb --if-exists "$DB" >/dev/null
    "${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$DB" -i "${1:-insurance_claim_callback}" --stop-after-init --log-level=warn
}
