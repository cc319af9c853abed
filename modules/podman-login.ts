// containers.podman.podman_login on hound's engine, for podman nodes: `podman login` runs on
// the node as the module runs it, but with the password on its stdin (--password-stdin),
// never in its command line; `changed` as the module decides it (the auth file's checksum,
// "Existing credentials are valid"). The run's later pulls from that registry use the
// credentials, as registry_login's.
import { normaliseRegistryHost } from '../transport/docker-config.js';
import { podmanLoginModule } from './collection-schemas.js';
import { runCommandLine } from './command.js';
import { requirePodman } from './podman-image.js';
import { ModuleFailure, controllerModule, type ModuleContext } from './implementation.js';
import { shlexQuote } from '../base/shlex.js';

export interface PodmanLoginArgs {
  registry?: string;
  username: string;
  password: string;
  authfile?: string;
  certdir?: string;
  tlsverify?: boolean;
  executable?: string;
}

/** The auth file podman_login watches (the module's own rule: authfile, else $XDG_RUNTIME_DIR's, else ~/.docker/config.json), and its sha256. */
const AUTH_FILE_SUM =
  'a=$1; [ -n "$a" ] || a="${XDG_RUNTIME_DIR:-}/containers/auth.json"; [ -e "$a" ] || a="$HOME/.docker/config.json"; if [ -e "$a" ]; then sha256sum -- "$a" | cut -d" " -f1; fi';

async function authFileSum(ctx: ModuleContext, authfile: string | undefined): Promise<string> {
  const conn = await ctx.connection();
  const r = await conn.exec(`sh -c ${shlexQuote(AUTH_FILE_SUM)} hound-podman-login ${shlexQuote(authfile ?? '')}`, { signal: ctx.signal });
  return r.stdout.trim();
}

export const podmanLogin = controllerModule<PodmanLoginArgs>(podmanLoginModule, async (args, ctx) => {
  requirePodman(ctx, 'podman_login');
  ctx.addSecret(args.password);
  const argv = [args.executable ?? 'podman', 'login', '--username', args.username, '--password-stdin'];
  if (args.authfile) argv.push('--authfile', args.authfile);
  if (args.registry) argv.push(args.registry);
  if (args.certdir) argv.push('--cert-dir', args.certdir);
  if (args.tlsverify !== undefined) argv.push(args.tlsverify ? '--tls-verify' : '--tls-verify=False');
  const before = await authFileSum(ctx, args.authfile);
  const shown = argv.map(shlexQuote).join(' ');
  const run = await runCommandLine(argv, argv, { stdin: args.password, stdin_add_newline: false }, ctx, shown);
  const out = { stdout: run.data?.stdout ?? '', stderr: run.data?.stderr ?? '' };
  if (run.failed) {
    if (!String(out.stderr).includes('Error: Not logged into'))
      throw new ModuleFailure(`Unable to gather info for ${args.registry ?? 'None'}: ${String(out.stderr)}`, out);
    return { status: 'ok', msg: `not logged into ${args.registry ?? 'the default registry'}`, bytes: 0, data: out };
  }
  if (args.registry) ctx.credentials.set({ username: args.username, password: args.password, serverAddress: normaliseRegistryHost(args.registry) });
  const after = await authFileSum(ctx, args.authfile);
  const changed = !String(out.stdout).includes('Existing credentials are valid') && !(before !== '' && before === after);
  return { status: changed ? 'changed' : 'ok', msg: `logged in to ${args.registry ?? 'the default registry'} as ${args.username}`, bytes: 0, data: out };
});
