// community.docker.docker_login on hound's engine, as the module does it: credentials the
// node's Docker config already holds for that user are taken as they are (unless
// `reauthorize`, or the password differs), else they are checked by the node's Docker
// (POST /auth, which asks the registry) and written to `config_path` on the node, so that
// `changed` means what it means in Ansible. The run's later pulls from that registry use them,
// as registry_login's. `state: absent` erases the entry (and the run's). The password only
// ever travels in a request body or on a channel's stdin: never in a command line, a log or
// an event.
import { authFromDockerConfig, credentialHelperFor, normaliseRegistryHost, parseDockerConfig, type DockerConfigFile } from '../transport/docker-config.js';
import { sortKeys } from '../base/sorted-json.js';
import { dockerLoginModule } from './collection-schemas.js';
import { engineApiOf, engineMessage } from './docker-engine.js';
import { ModuleFailure, controllerModule, type ModuleContext } from './implementation.js';
import { shlexQuote } from '../base/shlex.js';

export interface DockerLoginArgs {
  registry_url?: string;
  username?: string;
  password?: string;
  reauthorize?: boolean;
  config_path?: string;
  state?: 'present' | 'absent';
}

export const DEFAULT_REGISTRY_URL = 'https://index.docker.io/v1/';

/** `~/` is the SSH user's home on the node, as Ansible's `path` type expands it there. */
const READ_CONFIG = 'case $1 in "~/"*) p="$HOME/${1#"~/"}";; *) p=$1;; esac; if [ -f "$p" ]; then cat -- "$p"; else exit 3; fi';
const WRITE_CONFIG =
  'case $1 in "~/"*) p="$HOME/${1#"~/"}";; *) p=$1;; esac; mkdir -p -- "$(dirname -- "$p")" && umask 077 && cat > "$p.hound.$$" && chmod 600 "$p.hound.$$" && mv -f -- "$p.hound.$$" "$p"';

async function readNodeConfig(ctx: ModuleContext, configPath: string): Promise<DockerConfigFile | undefined> {
  const conn = await ctx.connection();
  const r = await conn.exec(`sh -c ${shlexQuote(READ_CONFIG)} hound-docker-config ${shlexQuote(configPath)}`, {
    signal: ctx.signal,
    shownAs: `read ${configPath}`,
  });
  if (r.code === 3) return undefined;
  if (r.code !== 0) throw new ModuleFailure(`cannot read ${configPath} on ${ctx.host}: ${r.stderr.trim() || `exit ${r.code}`}`);
  try {
    return parseDockerConfig(r.stdout, `${configPath} on ${ctx.host}`);
  } catch {
    // As the module's DockerFileStore: an unreadable config is taken as an empty one (and rewritten).
    return undefined;
  }
}

/** Writes the config as the module's DockerFileStore does (JSON, 4-space indent, sorted keys, mode 0600); the secret goes on stdin. */
async function writeNodeConfig(ctx: ModuleContext, configPath: string, config: DockerConfigFile): Promise<void> {
  const conn = await ctx.connection();
  const r = await conn.exec(`sh -c ${shlexQuote(WRITE_CONFIG)} hound-docker-config ${shlexQuote(configPath)}`, {
    signal: ctx.signal,
    stdin: `${JSON.stringify(sortKeys(config), null, 4)}`,
    shownAs: `write ${configPath}`,
  });
  if (r.code !== 0) throw new ModuleFailure(`cannot write ${configPath} on ${ctx.host}: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/** The config's own entry for exactly this registry key, decoded (the module's DockerFileStore.get). */
function storedEntry(config: DockerConfigFile | undefined, registryUrl: string): { username: string; password: string } | undefined {
  const entry = config?.auths?.[registryUrl];
  if (!entry?.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function refuseHelper(config: DockerConfigFile | undefined, registryUrl: string, configPath: string): void {
  const helper = config ? credentialHelperFor(config, registryUrl) : undefined;
  if (helper !== undefined) {
    throw new ModuleFailure(
      `${configPath} on the node keeps credentials in the credential helper docker-credential-${helper}; hound writes only its auths (remove credsStore/credHelpers there, or log in with ansible-playbook)`,
    );
  }
}

async function login(args: DockerLoginArgs, ctx: ModuleContext, registryUrl: string, configPath: string) {
  const username = args.username!;
  const password = args.password!;
  ctx.addSecret(password);
  const config = await readNodeConfig(ctx, configPath);
  refuseHelper(config, registryUrl, configPath);
  const known = config ? authFromDockerConfig(config, registryUrl) : undefined;
  let loginResult: Record<string, unknown>;
  if (known && known.username === username && !args.reauthorize && known.password === password) {
    loginResult = { username, email: null, serveraddress: registryUrl };
  } else {
    const api = await engineApiOf(ctx, 'docker_login');
    const r = await api.request('POST', '/auth', { body: { username, password, email: null, serveraddress: registryUrl }, secretBody: true });
    if (r.status !== 200) throw new ModuleFailure(`Logging into ${registryUrl} for user ${username} failed - ${r.status} ${engineMessage(r.body)}`);
    loginResult = r.body !== null && typeof r.body === 'object' ? { ...(r.body as Record<string, unknown>) } : {};
  }
  const stored = storedEntry(config, registryUrl);
  const write = stored?.username !== username || stored.password !== password || args.reauthorize === true;
  if (write && !ctx.check) {
    const auths = { ...(config?.auths ?? {}), [registryUrl]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
    await writeNodeConfig(ctx, configPath, { ...(config ?? {}), auths });
  }
  ctx.credentials.set({ username, password, serverAddress: normaliseRegistryHost(registryUrl) });
  return {
    status: write ? ('changed' as const) : ('ok' as const),
    msg: `logged in to ${registryUrl} as ${username}${write ? `, credentials written to ${configPath}` : ''}`,
    bytes: 0,
    data: { login_result: loginResult },
  };
}

async function logout(ctx: ModuleContext, registryUrl: string, configPath: string) {
  const config = await readNodeConfig(ctx, configPath);
  refuseHelper(config, registryUrl, configPath);
  if (!config?.auths || !Object.hasOwn(config.auths, registryUrl)) {
    return { status: 'ok' as const, msg: `no credentials for ${registryUrl} in ${configPath}`, bytes: 0, data: { login_result: {} } };
  }
  if (!ctx.check) {
    const { [registryUrl]: _erased, ...auths } = config.auths;
    await writeNodeConfig(ctx, configPath, { ...config, auths });
  }
  ctx.credentials.delete(normaliseRegistryHost(registryUrl));
  return { status: 'changed' as const, msg: `logged out of ${registryUrl}`, bytes: 0, data: { login_result: {} } };
}

export const dockerLogin = controllerModule<DockerLoginArgs>(dockerLoginModule, async (args, ctx) => {
  const registryUrl = args.registry_url ?? DEFAULT_REGISTRY_URL;
  const configPath = args.config_path ?? '~/.docker/config.json';
  return (args.state ?? 'present') === 'absent' ? logout(ctx, registryUrl, configPath) : login(args, ctx, registryUrl, configPath);
});
