#!/usr/bin/env bash
# Installs hound the way a user does on a controller: `npm pack`, then `npm install -g` of
# that tarball into an empty prefix, and runs the installed `hound` from there. CI runs this
# after the tests. Dependencies come from npm's cache where `npm ci` already put them.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed: $tarball ($(du -h "$work/$tarball" | cut -f1))"
# What must and must not be in it.
listing=$(tar -tzf "$work/$tarball")
for need in package/dist/cli/hound.js package/playbooks/warmup.yml package/README.md package/package.json package/runtime/cri/api.json package/runtime/containerd/content.json package/runtime/containerd/images.json package/runtime/containerd/namespaces.json package/runtime/containerd/containers.json; do
  grep -qx "$need" <<<"$listing" || { echo "package-smoke: $need is missing from the tarball" >&2; exit 1; }
done
if grep -E '^package/(test|bench|cli|core)/|\.ts$' <<<"$listing" | grep -v '\.d\.ts$' | head -5 | grep -q .; then
  echo "package-smoke: the tarball carries sources or tests:" >&2
  grep -E '^package/(test|bench|cli|core)/|\.ts$' <<<"$listing" | head -5 >&2
  exit 1
fi
prefix="$work/prefix"
mkdir -p "$prefix"
npm install --global --prefix "$prefix" --prefer-offline --no-audit --no-fund "$work/$tarball" >/dev/null
hound="$prefix/bin/hound"
[ -x "$hound" ] || { echo "package-smoke: no hound on the prefix's PATH ($hound)" >&2; exit 1; }
version=$(PATH="$prefix/bin:$PATH" hound --version)
expected=$(node -p 'require("./package.json").version')
[ "$version" = "$expected" ] || { echo "package-smoke: hound --version says '$version', package.json '$expected'" >&2; exit 1; }
echo "installed: hound $version"
# The installed copy reads a playbook of its own library and a starter inventory.
cd "$work"
PATH="$prefix/bin:$PATH" hound init starter >/dev/null
PATH="$prefix/bin:$PATH" hound play --syntax-check starter/warmup.yml -i starter/hosts.ini
PATH="$prefix/bin:$PATH" hound play --syntax-check "$prefix/lib/node_modules/hound-warmup/playbooks/warmup.yml"
PATH="$prefix/bin:$PATH" hound completion bash | bash -n
echo "package-smoke: ok"
