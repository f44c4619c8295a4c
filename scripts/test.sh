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
.venv/bin/tremplin makemigrations --check --dry-run --settings=tremplin.settings_test >/dev/null \
  || { echo "Models and migrations differ: run 'tremplin makemigrations'." >&2; exit 1; }
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" "$@"
