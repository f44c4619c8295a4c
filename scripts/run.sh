#!/usr/bin/env bash
# Install everything, prepare the SQLite database with demo data, and serve Tremplin.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_debian_packages $PDF_PACKAGES
ensure_venv ""

export TREMPLIN_HTTPS="${TREMPLIN_HTTPS:-0}"   # plain HTTP on this machine; production sets up HTTPS
ADDRESS="${TREMPLIN_ADDRESS:-127.0.0.1:8000}"

.venv/bin/tremplin migrate --noinput -v 0
.venv/bin/tremplin demo --if-empty
# The worker runs the imports queued by the import page (tremplin/steering/jobs.py). It stops with
# the server: on Ctrl+C, and when its parent ends (this process, which becomes the server).
.venv/bin/tremplin worker --stop-with-parent &
echo
echo "Tremplin: http://${ADDRESS}/  (stop with Ctrl+C)"
exec .venv/bin/tremplin runserver "$ADDRESS"
