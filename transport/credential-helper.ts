// Docker's credential helpers, run as the docker CLI runs them: `docker-credential-NAME get`
// on the controller, the server URL on stdin, `{"ServerURL","Username","Secret"}` on stdout.
// A helper that has nothing for the server says so ("credentials not found in native
// keychain", or empty fields): that is no credentials, not an error. A Username of
// `<token>` means the Secret is an identity (OAuth refresh) token. What a helper prints is
// a secret: it is handed to the caller's onSecret before anything else sees it, and error
// messages quote the helper only when its output is not a credential.
import { execFile } from 'node:child_process';
import { HoundError, EXIT } from '../base/errors.js';
import type { RegistryAuth } from './types.js';

/** docker-credential-helpers' credentials.NewErrCredentialsNotFound() message. */
export const CREDENTIALS_NOT_FOUND = 'credentials not found in native keychain';
const IDENTITY_TOKEN_USERNAME = '<token>';
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DEFAULT_TIMEOUT_MS = 60_000;

export class CredentialHelperError extends HoundError {
  constructor(message: string, hint: string) {
    super('CREDENTIAL_HELPER_FAILED', message, EXIT.ERROR, { hint });
  }
}

export interface CredentialHelperOptions {
  /** Every secret the helper gave, to be masked wherever hound prints. */
  onSecret?: (value: string) => void;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** The server URL Docker hands a helper: Docker Hub's v1 index URL, else host[:port]. */
export function helperServerUrl(registry: string): string {
  return registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}

/** Runs `docker-credential-<helper> get` for `registry` (host[:port], docker.io for Docker Hub). */
export async function credentialsFromHelper(helper: string, registry: string, options: CredentialHelperOptions = {}): Promise<RegistryAuth | undefined> {
  const program = `docker-credential-${helper}`;
  if (!HELPER_NAME.test(helper)) {
    throw new CredentialHelperError(`the Docker config names the credential helper "${helper}", which is not a program name`, 'fix credsStore / credHelpers');
  }
  const serverUrl = helperServerUrl(registry);
  const { code, stdout, stderr, spawnError } = await run(program, serverUrl, options);
  if (spawnError) {
    const missing = spawnError.code === 'ENOENT';
    throw new CredentialHelperError(
      missing
        ? `${program} is not installed on the controller (the Docker config keeps the credentials for ${registry} there)`
        : `${program} could not be run: ${spawnError.message}`,
      missing ? `install ${program} on the controller's PATH, or give the credentials with registry_login` : 'check the helper',
    );
  }
  const text = stdout.trim();
  if (code !== 0) {
    if (text.includes(CREDENTIALS_NOT_FOUND) || stderr.includes(CREDENTIALS_NOT_FOUND)) return undefined;
    throw new CredentialHelperError(
      `${program} get failed for ${serverUrl} (exit ${code ?? 'by signal'}): ${quoteHelper(text || stderr.trim())}`,
      `run \`echo ${serverUrl} | ${program} get\` on the controller to see why (a locked keyring or a missing gpg key, often)`,
    );
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new CredentialHelperError(
      `${program} get answered something that is not JSON for ${serverUrl}`,
      'the helper is broken or not a Docker credential helper',
    );
  }
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
  const username = typeof parsed.Username === 'string' ? parsed.Username : '';
  if (secret === '') return undefined;
  options.onSecret?.(secret);
  if (username === IDENTITY_TOKEN_USERNAME) return { serverAddress: registry, identityToken: secret };
  return { serverAddress: registry, username, password: secret };
}

function run(
  program: string,
  input: string,
  options: CredentialHelperOptions,
): Promise<{ code: number | null; stdout: string; stderr: string; spawnError?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const child = execFile(
      program,
      ['get'],
      { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: 1 << 20, env: options.env ?? process.env, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
        if (err && typeof err.code === 'string') return resolve({ code: null, stdout, stderr, spawnError: err });
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
      },
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/** A helper's error text, short, and never something shaped like a credential. */
function quoteHelper(text: string): string {
  if (text.startsWith('{')) return '(its output withheld: it looks like a credential)';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
