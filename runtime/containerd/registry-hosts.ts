// Which registries a containerd node reaches without TLS checks, as Docker's
// "insecure-registries" says for a Docker node. containerd's CRI reads registry hosts from
// `config_path` (certs.d/HOST/hosts.toml), or from the older `registry.mirrors` and
// `registry.configs` of its own config; the CRI's verbose Status shows that config.
// hosts.toml is read for the keys that decide this, not as TOML at large.

/** The CRI plugin's registry config as containerd's verbose Status prints it (JSON). */
export interface CriRegistryConfig {
  configPath?: string;
  mirrors?: Record<string, { endpoint?: string[] }> | null;
  configs?: Record<string, { tls?: { insecure_skip_verify?: boolean } | null }> | null;
}

/** The registry config out of the verbose Status `info` map, when containerd gives one. */
export function criRegistryConfig(info: Record<string, string>): CriRegistryConfig | undefined {
  try {
    return (JSON.parse(info.config ?? '') as { registry?: CriRegistryConfig }).registry;
  } catch {
    return undefined;
  }
}

/** A registry endpoint a hosts.toml names: its URL, whether TLS verification is skipped, and whether it is the top-level `server`. */
interface HostEntry {
  url: string;
  skipVerify: boolean;
  server: boolean;
}

/**
 * The endpoints of one hosts.toml: `server` (top-level keys) and each `[host."URL"]` section.
 * Only what decides plain HTTP or unverified TLS is read: string `server`, section headers,
 * `skip_verify = true|false`.
 */
export function hostsTomlEndpoints(text: string): HostEntry[] {
  const entries: HostEntry[] = [];
  let current: HostEntry | undefined;
  const top: HostEntry = { url: '', skipVerify: false, server: true };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    const section = /^\[\s*host\s*\.\s*"([^"]+)"\s*\]$/.exec(line) ?? /^\[\s*host\s*\.\s*'([^']+)'\s*\]$/.exec(line);
    if (section) {
      current = { url: section[1], skipVerify: false, server: false };
      entries.push(current);
      continue;
    }
    if (line.startsWith('[')) {
      current = { url: '', skipVerify: false, server: false }; // another table (e.g. [host."…".header]): not an endpoint
      continue;
    }
    const server = /^server\s*=\s*["']([^"']+)["']$/.exec(line);
    if (server && current === undefined) top.url = server[1]!;
    const skip = /^skip_verify\s*=\s*(true|false)$/.exec(line);
    if (skip) (current ?? top).skipVerify = skip[1] === 'true';
  }
  return top.url !== '' ? [top, ...entries] : entries;
}

function authorityOf(url: string): string | undefined {
  return /^[a-z]+:\/\/([^/]+)/i.exec(url)?.[1];
}

/**
 * Whether the registry `host` itself (the certs.d dir's name) is reached over plain HTTP or
 * without TLS verification. Mirrors at other addresses do not count: hound talks to the
 * registry, not to the node's mirrors. A top-level `server = "http://…"` alone does not count
 * either: containerd 1.6.20 still speaks HTTPS to it (tried on the lab, with the CRI and with
 * ctr); only a `[host."http://…"]` section makes it use plain HTTP.
 */
export function hostIsInsecure(host: string, text: string): boolean {
  return hostsTomlEndpoints(text).some((e) => authorityOf(e.url) === host && ((!e.server && e.url.startsWith('http://')) || e.skipVerify));
}

/**
 * Registries (host[:port]) reached insecurely: each certs.d dir whose hosts.toml says so of
 * the registry itself (the `_default` dir, which applies to every registry, is not a registry
 * name), and each registry the older-style mirrors (an http:// endpoint at its own address)
 * or configs (insecure_skip_verify) say so of.
 */
export function insecureRegistries(hostsFiles: { host: string; text: string }[], config?: CriRegistryConfig): string[] {
  const insecure = new Set<string>();
  for (const f of hostsFiles) if (f.host !== '_default' && hostIsInsecure(f.host, f.text)) insecure.add(f.host);
  for (const [host, mirror] of Object.entries(config?.mirrors ?? {})) {
    if ((mirror.endpoint ?? []).some((e) => e.startsWith('http://') && authorityOf(e) === host)) insecure.add(host);
  }
  for (const [host, c] of Object.entries(config?.configs ?? {})) if (c.tls?.insecure_skip_verify === true) insecure.add(host);
  return [...insecure].sort();
}

/**
 * The dirs a `config_path` names, in the order containerd searches them: it may list several
 * separated by `:` (filepath.SplitList), as "/etc/containerd/certs.d:/etc/docker/certs.d".
 * For each registry the CRI uses the first of them that holds a dir for that host (or a
 * `_default`), so a dir hound adds to the first one is the one read.
 */
export function configPathRoots(configPath: string): string[] {
  return configPath.split(':').filter((root) => root !== '');
}

/**
 * A shell script that prints, for each root dir it is given ("$@", in config_path's order),
 * `=== ROOT` and then each dir in it as `== NAME` followed by its hosts.toml, if any (a dir
 * without one still counts: containerd then reads only its certificate files).
 */
export const LIST_HOSTS_TOML =
  'for r in "$@"; do printf "=== %s\\n" "$r"; for d in "$r"/*/; do [ -d "$d" ] || continue; d=${d%/}; printf "== %s\\n" "${d##*/}"; [ -f "$d/hosts.toml" ] && cat "$d/hosts.toml"; echo; done; done';

/** containerd names a `host:port` dir `host_port_` too, and looks for that first. */
function hostOfDirName(name: string): { host: string; portForm: boolean } {
  const m = /^(.+)_(\d+)_$/.exec(name);
  return m ? { host: `${m[1]}:${m[2]}`, portForm: true } : { host: name, portForm: false };
}

/**
 * The hosts.toml containerd reads for each registry, out of LIST_HOSTS_TOML's listing: a
 * host's dir in an earlier root wins over one in a later root, and so does an earlier root's
 * `_default` (containerd tries HOST_PORT_, HOST:PORT, then _default in each root before the
 * next); within a root the HOST_PORT_ form wins.
 */
export function parseHostsTomlListing(text: string): { host: string; text: string }[] {
  const roots: { name: string; text: string }[][] = [];
  let dir: { name: string; text: string } | undefined;
  for (const line of text.split('\n')) {
    if (/^=== /.test(line)) {
      roots.push([]);
      dir = undefined;
      continue;
    }
    const header = /^== (.+)$/.exec(line);
    if (header && roots.length > 0) roots[roots.length - 1].push((dir = { name: header[1], text: '' }));
    else if (dir) dir.text += `${line}\n`;
  }
  const chosen = new Map<string, string>();
  let defaulted = false;
  for (const dirs of roots) {
    const inRoot = new Map<string, { text: string; portForm: boolean }>();
    for (const d of dirs) {
      const { host, portForm } = hostOfDirName(d.name);
      const had = inRoot.get(host);
      if (!had || (portForm && !had.portForm)) inRoot.set(host, { text: d.text, portForm });
    }
    for (const [host, d] of inRoot) if (!chosen.has(host) && (!defaulted || host === '_default')) chosen.set(host, d.text);
    if (inRoot.has('_default')) defaulted = true;
  }
  return [...chosen].map(([host, text]) => ({ host, text }));
}
