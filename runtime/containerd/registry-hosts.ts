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
 * A shell script that prints each certs.d/HOST/hosts.toml under `configPath` as
 * `== HOST` then its text (the path comes in as "$1").
 */
export const LIST_HOSTS_TOML = 'for f in "$1"/*/hosts.toml; do [ -f "$f" ] || continue; d=${f%/hosts.toml}; printf "== %s\\n" "${d##*/}"; cat "$f"; echo; done';

export function parseHostsTomlListing(text: string): { host: string; text: string }[] {
  const files: { host: string; text: string }[] = [];
  for (const line of text.split('\n')) {
    const header = /^== (.+)$/.exec(line);
    if (header) files.push({ host: header[1], text: '' });
    else if (files.length > 0) files[files.length - 1].text += `${line}\n`;
  }
  return files;
}
