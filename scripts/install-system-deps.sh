#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages that hound's lab, tests and benchmark need.
# docker-compose (1.29) and python3-yaml (PyYAML) are the oracles of the image-lookup corpus tests.
# Idempotent: installs only what is missing. Needs root.
set -euo pipefail
# containerd (1.6, with its CRI plugin and ctr), podman (4.3) with crun, runc (the lab's podman nodes run
# containers with it: lab/podman-node.ts), conmon and uidmap (rootless),
# and catatonit (the lab's pod sandbox image is built from it) make the lab's containerd and podman nodes;
# sudo lets the lab's non-root users become root (become tests); git and python3-apt (ansible's apt
# modules need it) are what the package and git modules are compared on (play-packages.test.ts).
# rsync: the synchronize module runs it on the controller and on the node. python3-jmespath (a Recommends
# of ansible, left out here) lets ansible-core's json_query be the oracle of hound's; python3-netaddr
# (likewise) lets ansible.utils' ipaddr filters be the oracle of hound's. python-is-python3: a real inventory
# script of the corpus starts `#!/usr/bin/env python` (test/fixtures/corpus/inventory-scripts).
need=(docker.io openssh-server docker-registry iproute2 util-linux procps psmisc ansible docker-compose python3-docker python3-yaml curl time zsh openssl apache2-utils golang-docker-credential-helpers pass gnupg
  containerd podman crun runc conmon uidmap catatonit sudo git python3-apt rsync python3-jmespath python3-netaddr python-is-python3)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "hound: these packages are missing: ${missing[*]}; run this script as root (sudo $0)" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
