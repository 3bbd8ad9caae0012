#!/usr/bin/env bash
# Installs code-server (VS Code in a browser, with the normal Node extension host) into a cache
# folder so the end-to-end suite can run a real VS Code. Prints the install folder on its last
# line. Fast when the cache is complete; an interrupted install is wiped and redone, because the
# marker file is written only after every step below succeeded.
#
# Why the odd steps (see shared/E2E.md): 4.100.3 is the newest code-server that runs on Node 20;
# its postinstall downloads ripgrep from the internet, which is unreachable here, so everything
# installs with scripts off, Debian's `rg` goes where @vscode/ripgrep looks, and the native
# modules are rebuilt afterwards. `npm_config_yes=true` because the machine's npm config says
# `yes=false` and a native build calls `npx node-gyp`.
set -euo pipefail

VERSION=4.100.3
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/spanscope-e2e"
DIR="${SPANSCOPE_E2E_CODE_SERVER_DIR:-$CACHE_ROOT/code-server-$VERSION}"
MARKER="$DIR/.spanscope-install-complete"

if [[ -f "$MARKER" ]]; then
  echo "$DIR"
  exit 0
fi

for tool in rg node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "installCodeServer: '$tool' is missing (.ci/run installs ripgrep from apt)" >&2; exit 1; }
done

mkdir -p "$CACHE_ROOT"
# Two suites started at once must not install into the same folder at the same time.
exec 9>"$CACHE_ROOT/.install.lock"
flock 9
if [[ -f "$MARKER" ]]; then
  echo "$DIR"
  exit 0
fi

log() { echo "installCodeServer: $*" >&2; }
started=$(date +%s)
log "installing code-server $VERSION into $DIR (a few minutes, once)"
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
echo '{"name":"spanscope-e2e-code-server","private":true}' > package.json

export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# Keep npm quiet about nothing but real errors; its full log stays in ~/.npm/_logs on failure.
npm install "code-server@$VERSION" --ignore-scripts --no-audit --no-fund --loglevel=error >&2

cd node_modules/code-server/lib/vscode
npm install --unsafe-perm --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
log "building native modules (node-pty, @parcel/watcher, …)"
npm rebuild --unsafe-perm --loglevel=error >&2
cd ../..
ln -sfn node_modules lib/vscode/node_modules.asar
cd "$DIR"
npm rebuild argon2 --loglevel=error >&2

# Fail here, not in the middle of a test, if a native module did not build.
node -e "
  const base = '$DIR/node_modules/code-server/lib/vscode/node_modules/';
  for (const m of ['node-pty', '@parcel/watcher', '@vscode/spdlog']) require(base + m);
  require('$DIR/node_modules/argon2');
" >&2

touch "$MARKER"
log "done in $(( $(date +%s) - started )) s"
echo "$DIR"
