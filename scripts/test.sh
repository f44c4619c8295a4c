#!/usr/bin/env bash
# Install everything (Python packages, Chromium for browser tests) and run the whole test suite.
# Database: DATABASE_URL if set (CI uses PostgreSQL), else SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_debian_packages chromium gettext $PDF_PACKAGES
ensure_venv "[test]"

export TREMPLIN_VAR_DIR="${TREMPLIN_VAR_DIR:-$PWD/var/test}"
echo "Database: ${DATABASE_URL:-SQLite (embedded)}"
.venv/bin/python -m ruff check --quiet tremplin tests
# Models against migrations, on the embedded database (no server needed for this check).
env -u DATABASE_URL .venv/bin/tremplin makemigrations --check --dry-run --settings=tremplin.settings_test >/dev/null \
  || { echo "Models and migrations differ: run 'tremplin makemigrations'." >&2; exit 1; }
# Browser tests run after the rest, one at a time: under parallel load a live server and Chromium
# compete with the other tests for the two cores and time out.
if [ $# -gt 0 ]; then
  exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" "$@"
fi
.venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" -m "not browser" -q
exec .venv/bin/python -m pytest -m browser -q -p no:xdist
