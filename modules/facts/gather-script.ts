// The one shell command that gathers a host's facts. It reads what Ansible's setup module
// reads (release files, /proc, /sys, `ip`, `getent`, `date`, `findmnt`, `lsblk`, statvfs)
// with as few processes as it can: every file goes through one `head`, the rest through
// shell builtins. Its output is sections (`@@hound:NAME`), parsed on the controller. It needs
// a POSIX sh and the usual Linux tools, no Python. It runs under `/bin/sh -c`, as Ansible runs
// its modules, so the environment it reports is the one Ansible's env fact shows.
import { shlexQuote } from '../../base/shlex.js';
import type { Collector } from './subsets.js';

/** Files of the distribution collector: Ansible's OSDIST_LIST and what the distro library reads. */
export const DISTRIBUTION_FILES = [
  '/etc/altlinux-release',
  '/etc/oracle-release',
  '/etc/slackware-version',
  '/etc/centos-release',
  '/etc/redhat-release',
  '/etc/vmware-release',
  '/etc/openwrt_release',
  '/etc/os-release',
  '/usr/lib/os-release',
  '/etc/system-release',
  '/etc/alpine-release',
  '/etc/arch-release',
  '/etc/SuSE-release',
  '/etc/gentoo-release',
  '/etc/lsb-release',
  '/etc/sourcemage-release',
  '/etc/coreos/update.conf',
  '/etc/debian_version',
];

const PLATFORM_FILES = [
  '/proc/sys/kernel/ostype',
  '/proc/sys/kernel/hostname',
  '/proc/sys/kernel/osrelease',
  '/proc/sys/kernel/version',
  '/var/lib/dbus/machine-id',
  '/etc/machine-id',
];
const HARDWARE_FILES = ['/proc/meminfo', '/proc/cpuinfo', '/proc/uptime', '/sys/hypervisor/type'];
/** What the Python interpreter Ansible runs would see of itself: real/effective ids, CPU affinity, environment. */
const SELF_FILES = ['/proc/self/status', '/proc/self/environ'];

/** Ansible's probes for the default routes. */
export const IPV4_PROBE = '8.8.8.8';
export const IPV6_PROBE = '2404:6800:400a:800::1012';
const PYTHON_YEAR_SECONDS = (365 * 24 + 6) * 3600;

/**
 * The script for these collectors. `nowSeconds` (the controller's clock) picks the two dates
 * Python's time module reads to learn the time zone's standard and daylight names.
 */
export function gatherScript(collectors: ReadonlySet<Collector>, nowSeconds: number, gatherTimeoutSeconds = 10): string {
  const has = (c: Collector) => collectors.has(c);
  const lines = ['exec 2>/dev/null', 'read -r h < /proc/sys/kernel/hostname || h=$(uname -n)', 'files=""'];
  if (has('platform')) {
    lines.push(
      "echo '@@hound:arch'",
      '{ read -r a < /proc/sys/kernel/arch && echo "$a"; } || uname -m',
      // Python's socket.getfqdn(): the host name resolved, then that address resolved back.
      "echo '@@hound:fqdn'",
      'addr=$(getent ahosts "$h" | { read -r x _; echo "$x"; })',
      '[ -n "$addr" ] && getent hosts "$addr"',
    );
  }
  if (has('user')) {
    // Python's getpass.getuser(): LOGNAME, USER, LNAME, USERNAME, else the password entry of the uid.
    lines.push(
      "echo '@@hound:user'",
      'u=${LOGNAME:-${USER:-${LNAME:-$USERNAME}}}',
      '[ -n "$u" ] || u=$(id -un)',
      'echo "$u"',
      'getent passwd "$u" || getent passwd "$(id -u)" || grep "^$u:" /etc/passwd',
    );
  }
  if (has('date_time')) {
    const year = Math.floor(nowSeconds / PYTHON_YEAR_SECONDS) * PYTHON_YEAR_SECONDS;
    lines.push(
      "echo '@@hound:date'",
      `printf 'now\\n@${year}\\n@${year + PYTHON_YEAR_SECONDS / 2}\\n' | date -f - '+%s %N %z %Z' || date '+%s 000000000 %z %Z'`,
    );
  }
  if (has('network')) {
    lines.push(
      "echo '@@hound:route4'",
      `ip -4 route get ${IPV4_PROBE}`,
      "echo '@@hound:route6'",
      `ip -6 route get ${IPV6_PROBE}`,
      "echo '@@hound:addresses'",
      'ip -o addr show',
      "echo '@@hound:interfaces'",
      // Unsorted, as Python's glob lists /sys/class/net.
      'ls -f /sys/class/net',
      "echo '@@hound:kinds'",
      'for i in /sys/class/net/*; do n=${i##*/}; [ -d "$i/bridge" ] && echo "$n bridge"; [ -d "$i/bonding" ] && echo "$n bonding"; ' +
        'files="$files $i/address $i/mtu $i/type"; done',
    );
  }
  if (has('hardware')) {
    lines.push(
      "echo '@@hound:xen'",
      '[ -e /proc/xen ] && echo xen',
      "echo '@@hound:bind-mounts'",
      'findmnt --list --noheadings --notruncate',
      "echo '@@hound:uuids'",
      'lsblk --list --noheadings --paths --output NAME,UUID --exclude 2',
      "echo '@@hound:statvfs'",
      // The mounts Ansible sizes: devices (/…, \\…) and network shares (…:/…), not fstype none.
      'mtab=/etc/mtab; [ -e "$mtab" ] || mtab=/proc/mounts',
      'set --',
      'while read -r dev mnt fs rest; do case "$dev" in /*|\\\\*|*:/*) [ "$fs" = none ] || set -- "$@" "$(printf \'%b\' "$mnt")";; esac; done < "$mtab"',
      'files="$files $mtab"',
      // gather_timeout bounds the mounts' statvfs, as Ansible bounds each mount's (a hung NFS server).
      `t=''; command -v timeout >/dev/null && t='timeout ${Math.max(1, Math.floor(gatherTimeoutSeconds))}'`,
      `[ $# -gt 0 ] && $t stat -f -c '%S %s %b %a %f %c %d %n' "$@"`,
    );
  }
  const files = [
    ...(has('platform') ? PLATFORM_FILES : []),
    ...(has('distribution') ? DISTRIBUTION_FILES : []),
    ...(has('hardware') ? HARDWARE_FILES : []),
    ...SELF_FILES,
  ];
  lines.push(
    "echo '@@hound:files'",
    // Every distro release file distro.py might pick, and the files above; missing ones are skipped.
    `head -c 4194304 ${files.map(shlexQuote).join(' ')}${has('distribution') ? ' /etc/*[-_]release /etc/*[-_]version' : ''} $files`,
  );
  return lines.join('\n');
}

/** The script's output, by section name; `files` is split further by filesFrom(). */
export function splitSections(stdout: string): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = stdout.split(/^@@hound:([\w-]+)\n/m);
  for (let i = 1; i < parts.length; i += 2) sections.set(parts[i], parts[i + 1] ?? '');
  return sections;
}

/** `head`'s output for several files: `==> FILE <==` before each, a blank line between them. */
export function filesFrom(headOutput: string): Map<string, string> {
  const files = new Map<string, string>();
  const marker = /(?:^|\n)==> (.+?) <==\n/g;
  const found = [...headOutput.matchAll(marker)];
  found.forEach((m, i) => {
    const start = m.index + m[0].length;
    const end = i + 1 < found.length ? found[i + 1].index : headOutput.length;
    // The newline matched before the next header is head's separator, not the file's.
    files.set(m[1], headOutput.slice(start, end));
  });
  return files;
}
