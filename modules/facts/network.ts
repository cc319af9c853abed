// The network facts of ansible-core 2.14's LinuxNetwork collector that hound gathers:
// interfaces, default_ipv4, default_ipv6, all_ipv4_addresses and all_ipv6_addresses.
// Interfaces are listed as Python's glob lists /sys/class/net (directory order); addresses come
// from one `ip -o addr show` instead of one `ip addr show` per interface.
import type { Facts } from './distribution.js';
import { IPV4_PROBE, IPV6_PROBE } from './gather-script.js';

const INTERFACE_TYPE: Record<string, string> = { '1': 'ether', '32': 'infiniband', '512': 'ppp', '772': 'loopback', '65534': 'tunnel' };

export interface NetworkInputs {
  route4: string;
  route6: string;
  /** `ip -o addr show`. */
  addresses: string;
  /** `ls -f /sys/class/net`. */
  interfaces: string;
  /** `NAME bridge` / `NAME bonding` lines. */
  kinds: string;
  /** /sys/class/net/NAME/{address,mtu,type} by path. */
  files: ReadonlyMap<string, string>;
}

/** `ip route get` words: interface, address (src) and gateway (via). */
function defaultRoute(output: string, probe: string): Facts {
  const words = (output.split('\n')[0] ?? '').trim().split(/\s+/);
  const route: Facts = {};
  if (words[0] !== probe) return route;
  for (let i = 0; i < words.length - 1; i++) {
    if (words[i] === 'dev') route.interface = words[i + 1];
    else if (words[i] === 'src') route.address = words[i + 1];
    else if (words[i] === 'via' && words[i + 1] !== probe) route.gateway = words[i + 1];
  }
  return route;
}

function ipv4Netmask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
}

function ipv4Network(address: string, prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const value = address.split('.').reduce((n, p) => n * 256 + Number(p), 0);
  const net = (value & mask) >>> 0;
  return [24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.');
}

interface AddressLine {
  device: string;
  family: 'inet' | 'inet6';
  words: string[];
  secondary: boolean;
}

/** `2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\       valid_lft …`: the words Ansible reads from `ip addr show`. */
function addressLines(text: string): AddressLine[] {
  const out: AddressLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+(inet6?)\s+(.*)$/.exec(line);
    if (!m) continue;
    const words = [m[2], ...m[3].split('\\')[0].trim().split(/\s+/)];
    out.push({ device: m[1], family: m[2] as 'inet' | 'inet6', words, secondary: words.includes('secondary') });
  }
  return out;
}

export function networkFacts(inputs: NetworkInputs): Facts {
  const defaultIpv4 = defaultRoute(inputs.route4, IPV4_PROBE);
  const defaultIpv6 = defaultRoute(inputs.route6, IPV6_PROBE);
  const kinds = new Map(
    inputs.kinds
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((w) => w.length === 2)
      .map(([name, kind]) => [name, kind]),
  );
  const devices = inputs.interfaces
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== '.' && l !== '..');
  const sys = (device: string, file: string) => inputs.files.get(`/sys/class/net/${device}/${file}`)?.trim();
  const interfaces: string[] = [];
  const all4: string[] = [];
  const all6: string[] = [];
  const lines = addressLines(inputs.addresses);
  for (const device of devices) {
    if (!interfaces.includes(device)) interfaces.push(device);
    const mac = sys(device, 'address');
    const macaddress = mac && mac !== '00:00:00:00:00:00' ? mac : undefined;
    const mtu = sys(device, 'mtu');
    const rawType = sys(device, 'type');
    const type = kinds.get(device) ?? (rawType !== undefined ? (INTERFACE_TYPE[rawType] ?? 'unknown') : 'unknown');
    // Primary addresses first, then secondary ones, as Ansible asks `ip` for each in turn.
    const own = lines.filter((l) => l.device === device);
    for (const l of [...own.filter((x) => !x.secondary), ...own.filter((x) => x.secondary)]) {
      if (l.family === 'inet') {
        const [address, prefixText = '32'] = l.words[1].split('/');
        const label = l.words[l.words.length - 1];
        if (label !== device && !interfaces.includes(label)) interfaces.push(label);
        if (defaultIpv4.address === address) {
          const prefix = Number(prefixText);
          Object.assign(defaultIpv4, {
            broadcast: l.words[2] === 'brd' ? l.words[3] : '',
            netmask: ipv4Netmask(prefix),
            network: ipv4Network(address, prefix),
            prefix: prefixText,
            ...(macaddress !== undefined ? { macaddress } : {}),
            ...(mtu !== undefined ? { mtu: Number(mtu) } : {}),
            type,
            alias: label,
          });
        }
        if (!address.startsWith('127.')) all4.push(address);
      } else {
        const peer = l.words[2] === 'peer';
        const address = peer ? l.words[1] : l.words[1].split('/')[0];
        const prefix = peer ? l.words[3].split('/')[1] : l.words[1].split('/')[1];
        const scope = peer ? l.words[5] : l.words[3];
        if (defaultIpv6.address === address) {
          Object.assign(defaultIpv6, {
            prefix,
            scope,
            ...(macaddress !== undefined ? { macaddress } : {}),
            ...(mtu !== undefined ? { mtu: Number(mtu) } : {}),
            type,
          });
        }
        if (address !== '::1') all6.push(address);
      }
    }
  }
  return {
    interfaces: interfaces.map((i) => i.replace(/:/g, '_')),
    default_ipv4: defaultIpv4,
    default_ipv6: defaultIpv6,
    all_ipv4_addresses: all4,
    all_ipv6_addresses: all6,
  };
}
