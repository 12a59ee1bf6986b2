#!/usr/bin/env bash
# Build the dashboard from a copy of web/ (sharing node_modules), so several people can build
# at once without fighting over web/.next; prints the export folder to serve with JTS_WEB_DIR.
#   web/scripts/build-copy.sh /tmp/web-me   →   /tmp/web-me/out
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:?usage: build-copy.sh DEST}"
mkdir -p "$dest"
rsync -a --delete --exclude node_modules --exclude .next --exclude out "$src/" "$dest/"
ln -sfn "$src/node_modules" "$dest/node_modules"
(cd "$dest" && npx next build >/dev/null)
echo "$dest/out"
