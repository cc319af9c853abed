// How a registry asks for credentials (WWW-Authenticate), and where hound finds them when
// no registry_login gave any: ~/.docker/config.json, as `docker login` leaves it.
import type { RegistryAuth } from './types.js';
import type { TransportLogger } from './ssh-connection.js';
import { authFromDockerConfig, credentialHelperFor, normaliseRegistryHost, readDockerConfig } from './docker-config.js';

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
    while (i < header.length && /[\s,]/.test(header[i])) i++;
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
      if (current) current.params[word[1].toLowerCase()] = value;
      i = j;
    } else {
      current = { scheme: word[1].toLowerCase(), params: {} };
      challenges.push(current);
    }
  }
  return challenges;
}

/**
 * Credentials for `registry` from a docker config.json, if it has them; an unreadable file
 * is logged and passed over (the registry may not need credentials at all).
 */
export async function credentialsFromDockerConfig(
  registry: string,
  options: { path?: string; logger?: TransportLogger } = {},
): Promise<RegistryAuth | undefined> {
  let found: Awaited<ReturnType<typeof readDockerConfig>>;
  try {
    found = await readDockerConfig(options.path);
  } catch (error) {
    options.logger?.(1, `registry: ${error instanceof Error ? error.message : String(error)}; going without its credentials`);
    return undefined;
  }
  if (!found) return undefined;
  const auth = authFromDockerConfig(found.config, registry);
  if (auth) return auth;
  const helper = credentialHelperFor(found.config, registry);
  if (helper)
    options.logger?.(
      1,
      `registry: ${found.path} keeps ${normaliseRegistryHost(registry)} credentials in docker-credential-${helper}, which hound does not call; use a registry_login task`,
    );
  return undefined;
}
