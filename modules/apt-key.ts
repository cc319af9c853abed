// `apt_key`: a key added to apt's keyring (or a `keyring` file) or removed, through the node's
// apt-key and gpg, as ansible-core 2.14's module does: the key's id from `id`, else from the
// key itself (`gpg --with-colons`), compared with `apt-key adv --list-public-keys`. `url` is
// fetched on the node (curl, else wget), as the module fetches it there. Key servers are refused.
import { shlexQuote } from '../base/shlex.js';
import { aptKeyModule } from './package-schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext, type ModuleResult } from './implementation.js';

export interface AptKeyArgs {
  id?: string;
  data?: string;
  file?: string;
  keyring?: string;
  url?: string;
  state?: 'absent' | 'present';
}

/** [id for apt-key del (last 8), id to compare (last 16), the whole id], as parse_key_id; undefined when not a key id. */
export function parseKeyId(written: string): { short: string; fingerprint: string; keyId: string } | undefined {
  if (!/^(0[xX])?[0-9a-fA-F]+$/.test(written)) return undefined;
  let keyId = written.toUpperCase();
  if (keyId.startsWith('0X')) keyId = keyId.slice(2);
  if (keyId.length !== 8 && keyId.length !== 16 && keyId.length <= 16) return undefined;
  return { short: keyId.slice(-8), fingerprint: keyId.length > 16 ? keyId.slice(-16) : keyId, keyId };
}

/** Key ids of `pub`/`sub` lines not expired (gpg's long or colon format), as parse_output_for_keys. */
export function keysInListing(output: string, shortFormat = false): string[] {
  const found: string[] = [];
  for (const line of output.split('\n')) {
    if (!(line.startsWith('pub') || line.startsWith('sub')) || line.includes('expired')) continue;
    const tokens = line.split(/\s+/);
    const code = tokens[1]?.split('/');
    if (code !== undefined && code.length === 2) found.push(code[1]);
    else {
      const colons = line.split(':');
      if (colons.length > 4) found.push(colons[4]);
    }
  }
  return shortFormat ? found.map((k) => k.slice(-8)) : found;
}

export async function manageAptKey(args: AptKeyArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const conn = await ctx.connection();
  const run = (words: string[], stdin?: Buffer, shownAs?: string) => {
    const line = words.map(shlexQuote).join(' ');
    return conn.exec(`LC_ALL=C LANG=C ${line}`, { signal: ctx.signal, shownAs: shownAs ?? line, stdin });
  };
  const sources = ['data', 'file', 'url'].filter((k) => args[k as keyof AptKeyArgs] !== undefined);
  if (sources.length > 1) throw new ModuleFailure(`parameters are mutually exclusive: data|file|keyserver|url`);
  for (const binary of ['apt-key', 'gpg']) {
    const r = await conn.exec(`command -v ${binary} >/dev/null 2>&1`, { signal: ctx.signal });
    if (r.code !== 0) throw new ModuleFailure(`Failed to find required executable "${binary}" in paths: this host has no ${binary}`);
  }
  const keyring = args.keyring !== undefined ? ['--keyring', args.keyring] : [];
  const download = async (url: string): Promise<Buffer> => {
    const script = [
      't=$(mktemp) || exit 1',
      'if command -v curl >/dev/null 2>&1; then curl -fsSL -- "$1" > "$t"; elif command -v wget >/dev/null 2>&1; then wget -qO- -- "$1" > "$t"; else echo "neither curl nor wget is on the host" >&2; false; fi',
      'rc=$?; [ $rc = 0 ] && base64 -w0 < "$t"; rm -f "$t"; exit $rc',
    ].join('\n');
    const r = await conn.exec(`sh -c ${shlexQuote(script)} hound-fetch ${shlexQuote(url)}`, { signal: ctx.signal, shownAs: `curl ${url}` });
    if (r.code !== 0) throw new ModuleFailure(`Failed to download key at ${url}: ${r.stderr.trim()}`);
    return Buffer.from(r.stdout.trim(), 'base64');
  };
  let keyId = args.id;
  let data: Buffer | undefined = args.data !== undefined ? Buffer.from(args.data) : undefined;
  if (keyId === undefined) {
    if (args.url !== undefined) data = await download(args.url);
    if (args.file !== undefined || data !== undefined) {
      const r = await run(['gpg', '--with-colons', args.file ?? '-'], args.file === undefined ? data : undefined, 'gpg --with-colons');
      if (r.code !== 0) throw new ModuleFailure(`Unable to extract key from '${args.file ?? 'inline data'}'`, { stdout: r.stdout, stderr: r.stderr });
      keyId = keysInListing(r.stdout)[0];
    }
  }
  const result: Record<string, unknown> = { id: keyId ?? null };
  const parsed = keyId === undefined ? undefined : parseKeyId(keyId);
  if (keyId !== undefined && parsed === undefined) throw new ModuleFailure('Invalid key_id', result);
  if (parsed === undefined) throw new ModuleFailure('Unable to continue as we could not extract a valid fingerprint to compare against existing keys.', result);
  Object.assign(result, { short_id: parsed.short, fp: parsed.fingerprint, key_id: parsed.keyId });
  const shortFormat = parsed.keyId.length === 8;
  const listKeys = async () => {
    const r = await run(['apt-key', ...keyring, 'adv', '--list-public-keys', '--keyid-format=long']);
    if (r.code !== 0) throw new ModuleFailure('Unable to list public keys', { rc: r.code, stdout: r.stdout, stderr: r.stderr });
    return keysInListing(r.stdout, shortFormat);
  };
  const before = await listKeys();
  result.before = before;
  const has = (keys: string[]) => keys.includes(shortFormat ? parsed.short : parsed.fingerprint);
  let changed = false;
  if ((args.state ?? 'present') === 'present') {
    if (!has(before)) {
      changed = true;
      if (!ctx.check) {
        if (args.file !== undefined) {
          const r = await run(['apt-key', ...keyring, 'add', args.file]);
          if (r.code !== 0) throw new ModuleFailure(`Unable to add a key from file ${args.file}`, { rc: r.code, stdout: r.stdout, stderr: r.stderr });
        } else {
          if (data === undefined && args.url !== undefined) data = await download(args.url);
          if (data === undefined) throw new ModuleFailure('the key is not on the host and there is nothing to add: give `url`, `data` or `file`', result);
          const r = await run(['apt-key', ...keyring, 'add', '-'], data);
          if (r.code !== 0) throw new ModuleFailure('Unable to add a key from binary data', { rc: r.code, stdout: r.stdout, stderr: r.stderr });
        }
        result.after = await listKeys();
        if (!has(result.after as string[]))
          throw new ModuleFailure('apt-key did not return an error, but failed to add the key (check that the id is correct and *not* a subkey)', result);
      }
    }
  } else if (before.includes(parsed.fingerprint)) {
    changed = true;
    if (!ctx.check) {
      const r = await run(['apt-key', ...keyring, 'del', parsed.short]);
      if (r.code !== 0) throw new ModuleFailure(`Unable to remove a key with id ${parsed.short}`, { rc: r.code, stdout: r.stdout, stderr: r.stderr });
      result.after = await listKeys();
      if ((result.after as string[]).includes(parsed.fingerprint))
        throw new ModuleFailure('apt-key did not return an error, but the key was not removed (check that the id is correct and *not* a subkey)', result);
    }
  }
  return { status: changed ? 'changed' : 'ok', msg: '', bytes: 0, data: result };
}

export const aptKey = controllerModule<AptKeyArgs>(aptKeyModule, manageAptKey);
