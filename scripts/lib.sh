# Shared by run.sh and test.sh: system packages and the virtual environment.
# Works on a fresh Debian/Ubuntu machine with Python 3.11 and apt.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "Need root (or sudo) to install: $*" >&2; return 1; fi
}

# ensure_debian_packages PKG... : install the Debian packages that are missing.
ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "Please install these system packages: ${missing[*]}" >&2; return 1
    fi
    echo "Installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

python_311() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 is required." >&2; return 1
}

# ensure_venv EXTRAS : create .venv if needed and install the project (with extras, e.g. "[test]").
ensure_venv() {
  local extras="${1:-}"
  local py; py=$(python_311)
  if [ ! -x .venv/bin/python ]; then
    if ! "$py" -m venv .venv 2>/dev/null; then
      ensure_debian_packages python3-venv
      rm -rf .venv; "$py" -m venv .venv
    fi
  fi
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}" 2>&1 \
    | grep -v -e "^WARNING: Location" -e "is ignored: it is neither a file nor a directory" || true
  .venv/bin/python -c "import tremplin, django" || { echo "Installation failed." >&2; return 1; }
}

# WeasyPrint needs Pango (PDF documents).
PDF_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
