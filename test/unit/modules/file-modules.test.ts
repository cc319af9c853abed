// The pure parts of copy, template, file and systemd: reading the node script's answers,
// where a controller file is looked for, copy's `content` text, trim_blocks, `systemctl show`.
import { describe, expect, it } from 'vitest';
import { searchPathCandidates } from '../../../base/search-path.js';
import { contentText } from '../../../modules/copy.js';
import { stateOf } from '../../../modules/file.js';
import { diffText, newFileMode, parseInspect } from '../../../modules/node-file.js';
import { parseSystemctlShow } from '../../../modules/systemd.js';
import { trimBlocks } from '../../../playbook/templating.js';
import { copyModule, fileModule, templateModule } from '../../../modules/file-schemas.js';
import { refusedArgument } from '../../../modules/definition.js';
import { coerceArgumentTypes } from '../../../playbook/module-arguments.js';
import { typedOptions } from '../../../playbook/kv-args.js';

describe('node file state', () => {
  it('reads a regular file: type, permission bits, owner ids, size, checksum, content', () => {
    const s = parseInspect(['0022', 'S 81a4 0 0 6', 'C 5c1ce0e3b1e5b8d5f6c6e2f2c2a2c4d2e6f6a6b6', `B ${Buffer.from('hello\n').toString('base64')}`].join('\n'));
    expect(s).toMatchObject({ exists: true, kind: 'file', mode: 0o644, uid: 0, gid: 0, size: 6, umask: 0o22 });
    expect(s.content?.toString()).toBe('hello\n');
    expect(stateOf(s)).toBe('file');
  });

  it('reads a missing path, a directory and a link with its target', () => {
    expect(parseInspect('0002\nmissing')).toMatchObject({ exists: false, umask: 0o2 });
    expect(stateOf(parseInspect('0002\nmissing'))).toBe('absent');
    expect(parseInspect('0022\nS 41ed 0 0 4096')).toMatchObject({ kind: 'directory', mode: 0o755 });
    const link = parseInspect('0022\nS a1ff 0 0 11\nL 0 daemon.json');
    expect(link).toMatchObject({ kind: 'link', linkTarget: 'daemon.json', targetIsDirectory: false });
    expect(stateOf(link)).toBe('link');
  });

  it('gives new files 0666 without the umask, as atomic_move does', () => {
    expect(newFileMode(0o022)).toBe(0o644);
    expect(newFileMode(0o077)).toBe(0o600);
  });

  it('leaves binary and large files out of diffs', () => {
    expect(diffText(Buffer.from('a\n'))).toBe('a\n');
    expect(diffText(undefined)).toBe('');
    expect(diffText(Buffer.from([0x61, 0, 0x62]))).toBeUndefined();
    expect(diffText(Buffer.alloc(104449, 0x61))).toBeUndefined();
  });
});

describe('copy and template on the controller', () => {
  it('looks for src in each search dir’s files/ (templates/) and then the dir, absolute paths as they are', () => {
    expect(searchPathCandidates('ca.crt', 'files', ['/r/role', '/r/role/tasks', '/p'])).toEqual([
      '/r/role/files/ca.crt',
      '/r/role/ca.crt',
      '/r/role/tasks/files/ca.crt',
      '/r/role/tasks/ca.crt',
      '/p/files/ca.crt',
      '/p/ca.crt',
    ]);
    expect(searchPathCandidates('/etc/x', 'templates', ['/p'])).toEqual(['/etc/x']);
    // As path_dwim_relative_stack: a needle already under the subfolder is not given it twice; the basedir comes last.
    expect(searchPathCandidates('files/ca.crt', 'files', ['/r/role'], '/p')).toEqual(['/r/role/files/ca.crt', '/p/files/ca.crt']);
  });

  it('writes content as given; a mapping or list as JSON, as the copy action does', () => {
    expect(contentText('a\n')).toBe('a\n');
    expect(contentText({ 'insecure-registries': ['r:5000'] })).toBe('{"insecure-registries":["r:5000"]}');
    expect(contentText(42)).toBe('42');
    expect(contentText(true)).toBe('True');
  });

  it('removes the first newline after a block or comment tag (trim_blocks), never after an expression', () => {
    expect(trimBlocks('{% for x in l %}\n{{ x }}\n{% endfor %}\nend\n')).toBe('{% for x in l %}{{ x }}\n{% endfor %}end\n');
    expect(trimBlocks('{# note #}\nvalue\n')).toBe('{# note #}value\n');
  });

  it('takes the template task’s trim_blocks and lstrip_blocks (rendered as the action does: templates-corpus.test.ts), and refuses other delimiters', () => {
    expect(refusedArgument(templateModule, { src: 'a.j2', dest: '/a', trim_blocks: false, lstrip_blocks: true })).toBeUndefined();
    expect(refusedArgument(templateModule, { src: 'a.j2', dest: '/a', block_start_string: '[%' })?.argument).toBe('block_start_string');
  });

  it('takes copy’s directory_mode, which a single file’s copy ignores (myl7/mylnet-ansible writes it so), and still refuses remote_src', () => {
    expect(refusedArgument(copyModule, { src: 'nginx.conf', dest: '/etc/nginx/nginx.conf', directory_mode: '0755' })).toBeUndefined();
    expect(refusedArgument(copyModule, { src: '/tmp/a', dest: '/etc/a', remote_src: true })?.argument).toBe('remote_src');
  });
});

describe('mode arguments', () => {
  it('keep a mode as written: `mode=0644` stays the octal string, YAML’s 0644 stays 420, as Ansible’s raw type', () => {
    const properties = fileModule.argumentSchema.properties as Record<string, { type?: string | string[] }>;
    expect(typedOptions({ mode: '0644', recurse: 'yes' }, properties)).toEqual({ mode: '0644', recurse: true });
    expect(coerceArgumentTypes(copyModule, { mode: 420, owner: 0, force: 'no' })).toEqual({ mode: 420, owner: '0', force: false });
  });
});

describe('systemctl show', () => {
  it('reads key=value lines, multi-line {…} values joined', () => {
    const out = [
      'Id=docker.service',
      'ActiveState=active',
      'ExecStart={ path=/usr/bin/dockerd ; argv[]=/usr/bin/dockerd',
      ' -H fd:// }',
      'LoadState=loaded',
      '',
    ].join('\n');
    expect(parseSystemctlShow(out)).toEqual({
      Id: 'docker.service',
      ActiveState: 'active',
      ExecStart: '{ path=/usr/bin/dockerd ; argv[]=/usr/bin/dockerd\n -H fd:// }',
      LoadState: 'loaded',
    });
  });
});
