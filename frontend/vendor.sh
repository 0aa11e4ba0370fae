#!/usr/bin/env bash
# Regenerate static/vendor/ from the exact versions pinned in frontend/package.json.
# Usage (from anywhere): bash frontend/vendor.sh
set -euo pipefail

FRONTEND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(dirname "$FRONTEND_DIR")"
NM="$FRONTEND_DIR/node_modules"
VENDOR="$ROOT_DIR/static/vendor"

cd "$FRONTEND_DIR"
if [[ -f package-lock.json ]]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi

# Copy one file; fail loudly if it does not exist.
copy() {
  local src="$1" dest_dir="$2"
  if [[ ! -f "$src" ]]; then
    echo "vendor.sh: missing $src" >&2
    exit 1
  fi
  mkdir -p "$dest_dir"
  cp "$src" "$dest_dir/"
}

# Print the first existing file among the arguments.
first_existing() {
  local f
  for f in "$@"; do
    if [[ -f "$f" ]]; then
      printf '%s\n' "$f"
      return 0
    fi
  done
  echo "vendor.sh: none of these exist: $*" >&2
  return 1
}

# Start from a clean tree, but keep the hand-written README.md.
mkdir -p "$VENDOR"
rm -rf "$VENDOR/bootstrap" "$VENDOR/bootstrap-icons" "$VENDOR/chart.js"

# --- bootstrap ---------------------------------------------------------------
copy "$NM/bootstrap/dist/css/bootstrap.min.css"     "$VENDOR/bootstrap"
# The right-to-left build, loaded instead of the one above when the language is RTL.
copy "$NM/bootstrap/dist/css/bootstrap.rtl.min.css" "$VENDOR/bootstrap"
copy "$NM/bootstrap/dist/js/bootstrap.bundle.min.js" "$VENDOR/bootstrap"
copy "$NM/bootstrap/LICENSE"                         "$VENDOR/bootstrap"

# --- bootstrap-icons ---------------------------------------------------------
# The CSS references url("./fonts/bootstrap-icons.woff2?...") so fonts/ must sit
# next to the CSS file.
icons_css="$(first_existing "$NM/bootstrap-icons/font/bootstrap-icons.min.css" \
                            "$NM/bootstrap-icons/font/bootstrap-icons.css")"
copy "$icons_css" "$VENDOR/bootstrap-icons"
mkdir -p "$VENDOR/bootstrap-icons/fonts"
shopt -s nullglob
fonts=("$NM"/bootstrap-icons/font/fonts/*.woff2 "$NM"/bootstrap-icons/font/fonts/*.woff)
shopt -u nullglob
if [[ ${#fonts[@]} -eq 0 ]]; then
  echo "vendor.sh: no fonts found in bootstrap-icons/font/fonts" >&2
  exit 1
fi
cp "${fonts[@]}" "$VENDOR/bootstrap-icons/fonts/"
copy "$NM/bootstrap-icons/LICENSE" "$VENDOR/bootstrap-icons"

# --- chart.js ----------------------------------------------------------------
chart_js="$(first_existing "$NM/chart.js/dist/chart.umd.min.js" \
                           "$NM/chart.js/dist/chart.umd.js")"
copy "$chart_js" "$VENDOR/chart.js"
chart_license="$(first_existing "$NM/chart.js/LICENSE.md" "$NM/chart.js/LICENSE")"
copy "$chart_license" "$VENDOR/chart.js"

# --- axe-core (tests only) ----------------------------------------------------
# The accessibility engine the browser tests inject. It lives under tests/, never under
# static/, so collectstatic never publishes it and no user is ever served it.
AXE_DIR="$ROOT_DIR/tests/browser/vendor"
rm -rf "$AXE_DIR/axe-core"
copy "$NM/axe-core/axe.min.js"            "$AXE_DIR/axe-core"
copy "$NM/axe-core/LICENSE"               "$AXE_DIR/axe-core"
copy "$NM/axe-core/LICENSE-3RD-PARTY.txt" "$AXE_DIR/axe-core"
sed -i -E 's#//[#@][[:space:]]*sourceMappingURL=[^[:space:]]*[[:space:]]*$##' "$AXE_DIR/axe-core/axe.min.js"

# --- strip source maps -------------------------------------------------------
# ManifestStaticFilesStorage would try to resolve the referenced .map files
# (which are not vendored) and abort collectstatic.
while IFS= read -r -d '' f; do
  # Whole-line comments: //# sourceMappingURL=...  and  /*# sourceMappingURL=... */
  sed -i -E \
    -e '/^[[:space:]]*\/\/[#@][[:space:]]*sourceMappingURL=.*$/d' \
    -e '/^[[:space:]]*\/\*[#@][[:space:]]*sourceMappingURL=[^*]*\*\/[[:space:]]*$/d' \
    "$f"
  # Trailing comments on the same line as code (minified files).
  sed -i -E \
    -e 's#/\*[#@][[:space:]]*sourceMappingURL=[^*]*\*/##g' \
    -e 's#//[#@][[:space:]]*sourceMappingURL=[^[:space:]]*[[:space:]]*$##' \
    "$f"
done < <(find "$VENDOR" -type f \( -name '*.css' -o -name '*.js' \) -print0)

leftover="$(grep -rl --include='*.css' --include='*.js' 'sourceMappingURL' "$VENDOR" || true)"
if [[ -n "$leftover" ]]; then
  echo "vendor.sh: sourceMappingURL still present in:" >&2
  printf '%s\n' "$leftover" >&2
  exit 1
fi

echo "Vendored assets written to $VENDOR:"
(cd "$ROOT_DIR/static" && find vendor -type f | sort)
echo "Test-only assets written to $AXE_DIR:"
(cd "$ROOT_DIR/tests/browser" && find vendor -type f | sort)
