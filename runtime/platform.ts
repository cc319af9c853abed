// The OCI platform a node's runtime pulls for by default, from what the runtime reports of
// its machine: Docker says `x86_64`, registries say `amd64`.
import type { DockerInfo } from './types.js';

const ARCHITECTURES: Record<string, string> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
  armv7l: 'arm/v7',
  armv6l: 'arm/v6',
  i386: '386',
  i686: '386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** The OCI platform a node pulls by default: Docker reports `x86_64`, registries say `amd64`. */
export function nodePlatform(info: Pick<DockerInfo, 'os' | 'architecture'>): string {
  return `${info.os || 'linux'}/${ARCHITECTURES[info.architecture] ?? info.architecture}`;
}
