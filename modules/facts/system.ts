// The platform, user, env and date_time facts, as ansible-core 2.14's collectors compute
// them in Python on the node, from what the gather script printed.
import type { Facts } from './distribution.js';

const firstLine = (text: string | undefined) => (text ?? '').split('\n')[0];

/** platform: system, kernel, kernel_version, machine, architecture, hostname, nodename, fqdn, domain, machine_id. */
export function platformFacts(files: ReadonlyMap<string, string>, arch: string, hostsLine: string | undefined): Facts {
  const nodename = firstLine(files.get('/proc/sys/kernel/hostname'));
  const facts: Facts = {
    system: firstLine(files.get('/proc/sys/kernel/ostype')),
    kernel: firstLine(files.get('/proc/sys/kernel/osrelease')),
    kernel_version: firstLine(files.get('/proc/sys/kernel/version')),
    machine: arch,
    fqdn: fqdnOf(nodename, hostsLine),
    hostname: nodename.split('.')[0],
    nodename,
  };
  facts.domain = String(facts.fqdn).split('.').slice(1).join('.');
  facts.architecture = arch;
  const machineId = (files.get('/var/lib/dbus/machine-id') || files.get('/etc/machine-id'))?.trim();
  if (machineId) facts.machine_id = machineId.split('\n')[0];
  return facts;
}

/**
 * Python's socket.getfqdn(): of the names `getent hosts ADDRESS` gives for the host's own
 * address (canonical name, then aliases), the first with a dot, else the canonical name;
 * the host name itself when its address does not resolve back.
 */
export function fqdnOf(hostname: string, hostsLine: string | undefined): string {
  const names = (hostsLine ?? '').trim().split(/\s+/).slice(1);
  if (names.length === 0) return hostname;
  return names.find((n) => n.includes('.')) ?? names[0];
}

/** user: getpass.getuser() and its password entry; real and effective ids of the process. */
export function userFacts(userSection: string, status: string): Facts {
  const [user = '', passwd = ''] = userSection.split('\n');
  const [, , uid, gid, gecos, dir, shell] = passwd.split(':');
  const ids = (label: string) => (new RegExp(`^${label}:\\s*(\\d+)\\s+(\\d+)`, 'm').exec(status) ?? []).slice(1).map(Number);
  const [realUid, effectiveUid] = ids('Uid');
  const [realGid] = ids('Gid');
  return {
    user_id: user,
    user_uid: Number(uid),
    user_gid: Number(gid),
    user_gecos: gecos ?? '',
    user_dir: dir ?? '',
    user_shell: shell ?? '',
    real_user_id: realUid,
    effective_user_id: effectiveUid,
    real_group_id: realGid,
    // ansible-core 2.14 reports the real group id here too (os.getgid()).
    effective_group_id: realGid,
  };
}

/** env: the process environment, NUL-separated in /proc/self/environ. */
export function envFacts(environ: string): Facts {
  const env: Record<string, string> = {};
  for (const entry of environ.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { env };
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const two = (n: number) => String(n).padStart(2, '0');

interface DateLine {
  epoch: number;
  nanos: string;
  offset: string;
  zone: string;
}

function dateLine(line: string): DateLine | undefined {
  const m = /^(-?\d+) (\S+) ([+-]\d{4}) (.*)$/.exec(line.trim());
  return m ? { epoch: Number(m[1]), nanos: m[2], offset: m[3], zone: m[4] } : undefined;
}

function offsetSeconds(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 3600 + Number(offset.slice(3, 5)) * 60);
}

/**
 * date_time, from `date '+%s %N %z %Z'` for now and for the two dates Python's time module
 * reads the zone's names from (to tell time.tzname[1], the daylight-saving name).
 */
export function dateTimeFacts(section: string): Facts {
  const [now, january, july] = section.split('\n').map(dateLine);
  if (!now) return {};
  const local = new Date((now.epoch + offsetSeconds(now.offset)) * 1000);
  const utc = new Date(now.epoch * 1000);
  const micros = (/^\d{9}$/.test(now.nanos) ? now.nanos : '000000000').slice(0, 6);
  const day = (d: Date) => `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  const time = (d: Date) => `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const compact = (d: Date) => `${day(d).replace(/-/g, '')}T${time(d).replace(/:/g, '')}`;
  const yearStart = Date.UTC(local.getUTCFullYear(), 0, 1);
  const yday = Math.floor((local.getTime() - yearStart) / 86_400_000);
  const wday = local.getUTCDay();
  // strftime's %W: weeks starting on Monday, the days before the first Monday in week 0.
  const weekNumber = Math.floor((yday + 7 - ((wday + 6) % 7)) / 7);
  return {
    date_time: {
      year: String(local.getUTCFullYear()),
      month: two(local.getUTCMonth() + 1),
      weekday: WEEKDAYS[wday],
      weekday_number: String(wday),
      weeknumber: two(weekNumber),
      day: two(local.getUTCDate()),
      hour: two(local.getUTCHours()),
      minute: two(local.getUTCMinutes()),
      second: two(local.getUTCSeconds()),
      epoch: String(now.epoch),
      epoch_int: String(now.epoch),
      date: day(local),
      time: time(local),
      iso8601_micro: `${day(utc)}T${time(utc)}.${micros}Z`,
      iso8601: `${day(utc)}T${time(utc)}Z`,
      iso8601_basic: `${compact(local)}${micros}`,
      iso8601_basic_short: compact(local),
      tz: now.zone,
      tz_dst: daylightName(january, july) ?? now.zone,
      tz_offset: now.offset,
    },
  };
}

/** Python's time.tzname[1]: where January's offset is the larger (southern summer), January's name, else July's. */
function daylightName(january: DateLine | undefined, july: DateLine | undefined): string | undefined {
  if (!january || !july) return undefined;
  return offsetSeconds(january.offset) > offsetSeconds(july.offset) ? january.zone : july.zone;
}
