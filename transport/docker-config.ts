// The one reader of Docker's client config (~/.docker/config.json, or $DOCKER_CONFIG), as
// `docker login` leaves it: `auths` entries, and which credential helper keeps the rest;
// and the one lookup of a registry's credentials in it, helpers run as Docker runs them.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EXIT, HoundError } from '../base/errors.js';
import { InputFileError, readInputText } from '../base/input-file.js';
import type { RegistryAuth } from './types.js';
import { credentialsFromHelper, type CredentialHelperOptions } from './credential-helper.js';

export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
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

/** Where Docker's client keeps its config: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function dockerConfigPath(): string {
  return join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** The config file, or undefined when there is none; a file that cannot be read or parsed is an error naming it. */
export async function readDockerConfig(path: string = dockerConfigPath()): Promise<{ path: string; config: DockerConfigFile } | undefined> {
  let text: string;
  try {
    text = await readInputText(path, { what: 'Docker config', codes: { unreadable: 'DOCKER_CONFIG_UNREADABLE', 'not-regular': 'DOCKER_CONFIG_UNREADABLE' } });
  } catch (error) {
    if (error instanceof InputFileError && error.problem === 'missing') return undefined;
    throw error;
  }
  return { path, config: parseDockerConfig(text, path) };
}

/** A config file's text (the controller's, or a node's read over SSH); one that is not a JSON object is an error naming it. */
export function parseDockerConfig(text: string, path: string): DockerConfigFile {
  try {
    const config = JSON.parse(text) as unknown;
    if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new Error('not a JSON object');
    return config;
  } catch (error) {
    throw new HoundError('DOCKER_CONFIG_UNREADABLE', `cannot read the Docker config ${path}: ${(error as Error).message}`, EXIT.ERROR, {
      hint: 'fix the file (docker login rewrites it), or point DOCKER_CONFIG at another folder',
    });
  }
}

/** Credentials for `registry` in the config's `auths` (an `auth` pair, username/password, or an identity token). */
export function authFromDockerConfig(config: DockerConfigFile, registry: string): RegistryAuth | undefined {
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
  return undefined;
}

/** The credential helper (`docker-credential-NAME`) the config names for `registry`: credHelpers, else credsStore. */
export function credentialHelperFor(config: DockerConfigFile, registry: string): string | undefined {
  const wanted = normaliseRegistryHost(registry);
  return Object.entries(config.credHelpers ?? {}).find(([key]) => normaliseRegistryHost(key) === wanted)?.[1] ?? config.credsStore;
}

export interface DockerConfigCredentials {
  auth?: RegistryAuth;
  /** Where they came from, for messages: the file, or `docker-credential-NAME`. */
  source: string;
}

/**
 * The credentials Docker's client would use for `registry`: with a credential helper for it
 * (credHelpers, else credsStore), what that helper says and nothing else, as the docker CLI
 * does; without one, the file's `auths`. Undefined when there is no config file.
 */
export async function dockerConfigCredentials(
  registry: string,
  options: CredentialHelperOptions & { path?: string } = {},
): Promise<DockerConfigCredentials | undefined> {
  const found = await readDockerConfig(options.path);
  if (!found) return undefined;
  const helper = credentialHelperFor(found.config, registry);
  if (helper !== undefined && helper !== '') {
    return { auth: await credentialsFromHelper(helper, normaliseRegistryHost(registry), options), source: `docker-credential-${helper}` };
  }
  const auth = authFromDockerConfig(found.config, registry);
  for (const secret of [auth?.password, auth?.identityToken]) if (secret) options.onSecret?.(secret);
  return { auth, source: found.path };
}
