// `stat`: what a path on the node is, in the keys and types Ansible's stat returns
// (`stat.exists`, `isdir`, `isreg`, `size`, `mode` "0644", `mtime` as a float, `checksum`,
// ...). One POSIX sh script on the node reads it with GNU stat, the checksum tools,
// `file` and `lsattr` (those two only when present, as Ansible's stat does); the path is an
// argument of the script, never part of its text.
import { statModule } from './schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext } from './implementation.js';
import { shlexQuote } from '../base/shlex.js';

export interface StatArgs {
  path: string;
  follow?: boolean;
  get_checksum?: boolean;
  checksum_algorithm?: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
  get_mime?: boolean;
  get_attributes?: boolean;
}

/**
 * Prints `stat FIELDS`, then one line per other fact (user, group, access, lnk_*, checksum,
 * mime, attr), or `missing`. $1 path, $2 follow (1/0), $3 checksum tool or -, $4 mime (1/0), $5 attributes (1/0).
 */
export const STAT_SCRIPT = [
  'p=$1; if [ "$2" = 1 ]; then L=-L; else L=; fi; export LC_ALL=C',
  `s=$(stat $L -c '%f %s %u %g %i %d %h %.9X %.9Y %.9Z %b %o %t %T' -- "$p" 2>&1) || { case $s in *"No such file"*) echo missing; exit 0;; esac; echo "$s" >&2; exit 1; }`,
  'echo "stat $s"',
  'echo "user $(stat $L -c %U -- "$p")"; echo "group $(stat $L -c %G -- "$p")"',
  'r=0; w=0; x=0; [ -r "$p" ] && r=1; [ -w "$p" ] && w=1; [ -x "$p" ] && x=1; echo "access $r $w $x"',
  'if [ -L "$p" ] && [ "$2" != 1 ]; then echo "lnk_source $(realpath -m -- "$p")"; echo "lnk_target $(readlink -- "$p")"; fi',
  'if [ "$3" != - ] && [ -f "$p" ] && [ -r "$p" ]; then echo "checksum $($3 -- "$p" | cut -d" " -f1)"; fi',
  'if [ "$4" = 1 ]; then if command -v file >/dev/null 2>&1; then echo "mime $(file -b --mime-type --mime-encoding -- "$p" 2>/dev/null)"; else echo "mime unknown"; fi; fi',
  'if [ "$5" = 1 ] && command -v lsattr >/dev/null 2>&1; then a=$(lsattr -vd -- "$p" 2>/dev/null) && echo "attr $a"; fi',
  'exit 0',
].join('\n');

/** lsattr's letters, as ansible.module_utils.common.file names them. */
const FILE_ATTRIBUTES: Record<string, string> = {
  A: 'noatime',
  a: 'append',
  c: 'compressed',
  C: 'nocow',
  d: 'nodump',
  D: 'dirsync',
  e: 'extents',
  E: 'encrypted',
  h: 'blocksize',
  i: 'immutable',
  I: 'indexed',
  j: 'journalled',
  N: 'inline',
  s: 'zero',
  S: 'synchronous',
  t: 'notail',
  T: 'blockroot',
  u: 'undelete',
  X: 'compressedraw',
  Z: 'compresseddirty',
};

/** The `stat` mapping Ansible returns, from the script's output (pure, unit-tested). */
export function parseStatOutput(out: string, args: StatArgs): Record<string, unknown> {
  const lines = out.split('\n');
  if (lines[0] === 'missing') return { exists: false };
  const facts = new Map<string, string>();
  for (const line of lines) {
    const space = line.indexOf(' ');
    if (space > 0) facts.set(line.slice(0, space), line.slice(space + 1));
  }
  const fields = (facts.get('stat') ?? '').split(' ');
  const [modeHex, size, uid, gid, inode, dev, nlink, atime, mtime, ctime, blocks, blockSize, rdevMajor, rdevMinor] = fields;
  const mode = parseInt(modeHex, 16);
  const type = mode & 0o170000;
  const bit = (mask: number) => (mode & mask) !== 0;
  const major = parseInt(rdevMajor, 16);
  const minor = parseInt(rdevMinor, 16);
  const stat: Record<string, unknown> = {
    exists: true,
    path: args.path,
    mode: (mode & 0o7777).toString(8).padStart(4, '0'),
    isdir: type === 0o040000,
    ischr: type === 0o020000,
    isblk: type === 0o060000,
    isreg: type === 0o100000,
    isfifo: type === 0o010000,
    islnk: type === 0o120000,
    issock: type === 0o140000,
    uid: Number(uid),
    gid: Number(gid),
    size: Number(size),
    inode: Number(inode),
    dev: Number(dev),
    nlink: Number(nlink),
    atime: Number(atime),
    mtime: Number(mtime),
    ctime: Number(ctime),
    wusr: bit(0o200),
    rusr: bit(0o400),
    xusr: bit(0o100),
    wgrp: bit(0o020),
    rgrp: bit(0o040),
    xgrp: bit(0o010),
    woth: bit(0o002),
    roth: bit(0o004),
    xoth: bit(0o001),
    isuid: bit(0o4000),
    isgid: bit(0o2000),
    blocks: Number(blocks),
    block_size: Number(blockSize),
    // Linux's makedev for the numbers glibc packs into st_rdev.
    device_type: ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xff) << 12) | ((major & ~0xfff) * 2 ** 32),
  };
  const [readable, writeable, executable] = (facts.get('access') ?? '0 0 0').split(' ');
  stat.readable = readable === '1';
  stat.writeable = writeable === '1';
  stat.executable = executable === '1';
  if (facts.has('lnk_source')) {
    stat.lnk_source = facts.get('lnk_source');
    stat.lnk_target = facts.get('lnk_target');
  }
  const user = facts.get('user');
  if (user !== undefined && user !== 'UNKNOWN') stat.pw_name = user;
  const group = facts.get('group');
  if (group !== undefined && group !== 'UNKNOWN') stat.gr_name = group;
  if (facts.has('checksum')) stat.checksum = facts.get('checksum');
  if (args.get_mime !== false) {
    const mime = /^([^;]+);\s*charset=(.+)$/.exec(facts.get('mime') ?? '');
    stat.mimetype = mime ? mime[1].trim() : 'unknown';
    stat.charset = mime ? mime[2].trim() : 'unknown';
  }
  if (args.get_attributes !== false) {
    const attr = (facts.get('attr') ?? '').trim().split(/\s+/);
    const flags = attr.length >= 2 ? attr[1].replace(/-/g, '') : '';
    stat.version = attr.length >= 2 ? attr[0] : null;
    stat.attr_flags = flags;
    stat.attributes = [...flags].filter((f) => Object.hasOwn(FILE_ATTRIBUTES, f)).map((f) => FILE_ATTRIBUTES[f]);
  }
  return stat;
}

const CHECKSUM_TOOLS: Record<NonNullable<StatArgs['checksum_algorithm']>, string> = {
  md5: 'md5sum',
  sha1: 'sha1sum',
  sha224: 'sha224sum',
  sha256: 'sha256sum',
  sha384: 'sha384sum',
  sha512: 'sha512sum',
};

export const stat = controllerModule<StatArgs>(statModule, async (args, ctx) => {
  const conn = await ctx.connection();
  const tool = args.get_checksum === false ? '-' : CHECKSUM_TOOLS[args.checksum_algorithm ?? 'sha1'];
  const words = [args.path, args.follow ? '1' : '0', tool, args.get_mime === false ? '0' : '1', args.get_attributes === false ? '0' : '1'];
  const r = await conn.exec(`sh -c ${shlexQuote(STAT_SCRIPT)} hound-stat ${words.map(shlexQuote).join(' ')}`, {
    signal: ctx.signal,
    shownAs: `stat ${args.path}`,
  });
  if (r.code !== 0) throw new ModuleFailure(r.stderr.trim().replace(/^stat: /, '') || `stat ${args.path} failed (exit ${r.code ?? r.signal})`);
  const result = parseStatOutput(r.stdout.replace(/\n$/, ''), args);
  return { status: 'ok', msg: result.exists ? `${args.path} exists` : `${args.path} does not exist`, bytes: 0, data: { stat: result } };
});

/** The path facts Ansible's exit_json adds to a result that has a `path` (add_path_info): owner, mode, state, size. */
const PATH_INFO = 'export LC_ALL=C; [ -e "$1" ] || [ -L "$1" ] || exit 3; stat -L -c "%u %g %U %G %h" -- "$1" && stat -c "%a %s %F" -- "$1"';

export async function pathInfo(ctx: Pick<ModuleContext, 'connection' | 'signal'>, path: string): Promise<Record<string, unknown> | undefined> {
  const conn = await ctx.connection();
  const r = await conn.exec(`sh -c ${shlexQuote(PATH_INFO)} hound-path-info ${shlexQuote(path)}`, { signal: ctx.signal, shownAs: `stat ${path}` });
  if (r.code !== 0) return undefined;
  const [followed, own] = r.stdout.split('\n');
  const [uid, gid, user, group, links] = followed.split(' ');
  const [mode, size, ...type] = own.split(' ');
  const kind = type.join(' ');
  const state = kind === 'symbolic link' ? 'link' : kind === 'directory' ? 'directory' : Number(links) > 1 ? 'hard' : 'file';
  return {
    uid: Number(uid),
    gid: Number(gid),
    owner: user === 'UNKNOWN' ? uid : user,
    group: group === 'UNKNOWN' ? gid : group,
    mode: `0${Number.parseInt(mode, 8).toString(8).padStart(3, '0')}`,
    state,
    size: Number(size),
  };
}
