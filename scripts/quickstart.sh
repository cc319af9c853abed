#!/usr/bin/env bash
# From a fresh clone to a warmed-up local cluster: installs what is missing, builds
# hound, starts a lab of 4 nodes (real sshd + dockerd each, a real registry), pushes
# sample images into the lab registry, then warms every node up with its own image set.
# Run as root on Debian/Ubuntu. Re-running is safe: the lab is rebuilt from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)" != Linux ]; then echo "hound quickstart: the lab needs Linux (network namespaces)" >&2; exit 1; fi
if [ "$(id -u)" -ne 0 ]; then echo "hound quickstart: run as root (sudo $0): the lab creates network namespaces and starts daemons" >&2; exit 1; fi
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "hound quickstart: Node.js 20 or newer is needed (https://nodejs.org or your distribution's nodejs package)" >&2; exit 1
fi

bash scripts/install-system-deps.sh
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json

hound() { node dist/cli/hound.js "$@"; }
nodes="${HOUND_LAB_NODES:-4}"
hound lab up --nodes "$nodes"
hound lab images
lab_dir=/var/tmp/hound-lab/hound
# The lab's inventory says how to reach the nodes; playbooks/examples/lab-images.yml
# says which images each node needs (a different set per node).
hound play playbooks/warmup.yml -i "$lab_dir/inventory.ini" -i playbooks/examples/lab-images.yml
echo
echo "The lab is still up: try 'node dist/cli/hound.js plan playbooks/warmup.yml -i $lab_dir/inventory.ini -i playbooks/examples/lab-images.yml'"
echo "Take it down with: node dist/cli/hound.js lab down"
