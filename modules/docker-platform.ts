// Platform strings as community.docker compares them (module_utils/_platform.py, after
// containerd's): `amd64`, `linux/amd64`, `linux/arm/v7`, with the daemon's OS or
// architecture filling what is left out, and architecture spellings normalised.

const KNOWN_OS = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'windows',
  'zos',
]);

/** [architecture, variant] as containerd normalises them; a variant of undefined keeps the one given. */
const ARCH: Record<string, [string, string | undefined]> = {
  i386: ['386', ''],
  'x86_64/v1': ['amd64', ''],
  'x86-64/v1': ['amd64', ''],
  'amd64/v1': ['amd64', ''],
  x86_64: ['amd64', undefined],
  'x86-64': ['amd64', undefined],
  amd64: ['amd64', undefined],
  'aarch64/8': ['arm64', ''],
  'arm64/8': ['arm64', ''],
  'aarch64/v8': ['arm64', ''],
  'arm64/v8': ['arm64', ''],
  aarch64: ['arm64', undefined],
  arm64: ['arm64', undefined],
  armhf: ['arm', 'v7'],
  armel: ['arm', 'v6'],
  'arm/': ['arm', 'v7'],
  'arm/5': ['arm', 'v5'],
  'arm/6': ['arm', 'v6'],
  'arm/7': ['arm', 'v7'],
  'arm/8': ['arm', 'v8'],
};

function normaliseArch(arch: string, variant: string): [string, string] {
  const a = arch.toLowerCase();
  const v = variant.toLowerCase();
  const found = ARCH[`${a}/${v}`] ?? ARCH[a];
  if (!found) return [a, v];
  return [found[0], found[1] ?? v];
}

/** `os/arch[/variant]` with the daemon's defaults filled in, normalised; undefined parts stay empty. */
export function normalisePlatform(platform: string, daemonOs?: string, daemonArch?: string): string {
  const parts = platform.split('/', 3);
  let os: string;
  let arch: string;
  let variant = '';
  if (parts.length === 1) {
    const word = parts[0].toLowerCase() === 'macos' ? 'darwin' : parts[0].toLowerCase();
    if (KNOWN_OS.has(word)) {
      os = word;
      arch = daemonArch ?? '';
    } else {
      os = (daemonOs ?? '').toLowerCase();
      arch = parts[0];
    }
  } else {
    os = parts[0].toLowerCase() === 'macos' ? 'darwin' : parts[0].toLowerCase();
    arch = parts[1];
    variant = parts[2] ?? '';
  }
  [arch, variant] = normaliseArch(arch, variant);
  return [os, arch, variant].filter((p, i) => i < 2 || p !== '').join('/');
}

/** Whether two platforms are the same once normalised (community.docker's compare_platform_strings). */
export function samePlatform(wanted: string, image: string, daemonOs?: string, daemonArch?: string): boolean {
  return normalisePlatform(wanted, daemonOs, daemonArch) === normalisePlatform(image, daemonOs, daemonArch);
}
