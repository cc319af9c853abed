// How a registry asks for credentials (WWW-Authenticate), and where hound finds them when
// no registry_login gave any: ~/.docker/config.json, as `docker login` leaves it.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegistryAuth } from './types.js';
import type { TransportLogger } from './ssh-connection.js';

export interface AuthChallenge {
  /** Lowercased: `bearer` or `basic`. */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a WWW-Authenticate header (RFC 7235): one or more challenges, each a scheme and
 * comma-separated `key=value` / `key="quoted, value"` parameters.
 */
export function parseAuthChallenges(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  const token = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)/y;
  let i = 0;
  let current: AuthChallenge | undefined;
  while (i < header.length) {
    while (i < header.length && /[\s,]/.test(header[i]!)) i++;
    token.lastIndex = i;
    const word = token.exec(header);
    if (!word) break;
    i = token.lastIndex;
    let j = i;
    while (j < header.length && header[j] === ' ') j++;
    if (header[j] === '=') {
      // key=value belongs to the current challenge
      j++;
      while (j < header.length && header[j] === ' ') j++;
      let value = '';
      if (header[j] === '"') {
        j++;
        while (j < header.length && header[j] !== '"') {
          if (header[j] === '\\' && j + 1 < header.length) j++;
          value += header[j];
          j++;
        }
        j++;
      } else {
        while (j < header.length && header[j] !== ',') value += header[j++];
        value = value.trim();
      }
      if (current) current.params[word[1]!.toLowerCase()] = value;
      i = j;
    } else {
      current = { scheme: word[1]!.toLowerCase(), params: {} };
      challenges.push(current);
    }
  }
  return challenges;
}

/** The registry host[:port] a docker config key means (`https://index.docker.io/v1/` → docker.io). */
export function normaliseRegistryHost(value: string): string {
  let host = value
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'registry.hub.docker.com') host = 'docker.io';
  return host;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Credentials for `registry` from a docker config.json, if it has them. */
export async function credentialsFromDockerConfig(
  registry: string,
  options: { path?: string; logger?: TransportLogger } = {},
): Promise<RegistryAuth | undefined> {
  const path = options.path ?? join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  let config: DockerConfigFile;
  try {
    config = JSON.parse(await readFile(path, 'utf8')) as DockerConfigFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') options.logger?.(1, `registry: cannot read ${path}; going without its credentials`);
    return undefined;
  }
  const wanted = normaliseRegistryHost(registry);
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (normaliseRegistryHost(key) !== wanted) continue;
    const auth: RegistryAuth = { serverAddress: wanted };
    if (entry.identitytoken) auth.identityToken = entry.identitytoken;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        auth.username = decoded.slice(0, colon);
        auth.password = decoded.slice(colon + 1);
      }
    } else if (entry.username !== undefined) {
      auth.username = entry.username;
      auth.password = entry.password;
    }
    if (auth.username !== undefined || auth.identityToken !== undefined) return auth;
  }
  const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => normaliseRegistryHost(key) === wanted)?.[1] ?? config.credsStore;
  if (helper)
    options.logger?.(1, `registry: ${path} keeps ${wanted} credentials in docker-credential-${helper}, which hound does not call; use a registry_login task`);
  return undefined;
}
