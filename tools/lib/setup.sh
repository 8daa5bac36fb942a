# Shared set-up for tools/run and tools/test (sourced, not run). Installs whatever the
# fresh Debian 12 machine lacks — the one list is tools/lib/packages.txt — and points
# ccache at this checkout so rebuilds in another clone still hit the cache.
set -euo pipefail

ORRERY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export ORRERY_ROOT

orrery_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

orrery_install_packages() {
  local missing=() pkg
  while read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done < "$ORRERY_ROOT/tools/lib/packages.txt"
  # Node.js with npm (browser and client tests): Debian's, unless the machine has one.
  if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "tools: installing ${missing[*]}" >&2
    orrery_as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive orrery_as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

orrery_setup_ccache() {
  export CCACHE_BASEDIR="$ORRERY_ROOT"
  export CCACHE_NOHASHDIR=true
  export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
}

# orrery_configure BUILD_DIR [meson options...]: configures once, reconfigures when the
# options change.
orrery_configure() {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$ORRERY_ROOT" "$@"
  fi
}

# orrery_install_node_packages: the test-only npm packages (playwright-core, the official
# Elasticsearch client). Each test folder that needs some has its own package.json and
# package-lock.json; `npm ci` installs exactly the locked versions from the npm registry,
# and runs again only when the lock file is newer than the installed tree.
orrery_install_node_packages() {
  local lock dir
  for lock in "$ORRERY_ROOT"/tests/*/package-lock.json; do
    [ -f "$lock" ] || continue
    dir=$(dirname "$lock")
    if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$lock" -nt "$dir/node_modules/.package-lock.json" ]; then
      echo "tools: npm ci in ${dir#"$ORRERY_ROOT"/}" >&2
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    fi
  done
}
