// `template`: a Jinja2 file of the controller (looked up in the role's and playbook's
// `templates/` as Ansible's template action looks it up), rendered on the controller with
// hound's templating and the task's variables (plus ansible_managed and the template_*
// variables Ansible adds), then written on the node as `copy` writes it. As Ansible renders
// templates, the first newline after a block or comment tag is removed (trim_blocks, which
// hound's templating applies to every template, as Ansible's environment does).
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerSecretText } from '../base/secrets.js';
import { templateModule } from './file-schemas.js';
import { ModuleFailure, controllerModule } from './implementation.js';
import { findControllerFile, openedControllerFile, putFile, type CopyArgs } from './copy.js';

export interface TemplateArgs extends CopyArgs {
  src: string;
  trim_blocks?: boolean;
  lstrip_blocks?: boolean;
}

/** The name of the user with this uid (pwd.getpwuid), else the number. */
function ownerName(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (id === String(uid)) return name;
    }
  } catch {
    // No passwd file to read: the number, as Ansible gives it then.
  }
  return String(uid);
}

/** Python's str() of a datetime: local time, microseconds only when there are some. */
function pythonDateTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const micro = date.getMilliseconds() === 0 ? '' : `.${String(date.getMilliseconds() * 1000).padStart(6, '0')}`;
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}${micro}`;
}

/**
 * The variables Ansible adds for a template file (generate_ansible_template_vars), for the
 * template task and the template lookup: `term` as the task or lookup names it, `file` where it
 * was found; ansible_managed from the play's variables, else Ansible's default text.
 */
export function templateFileVariables(term: string, file: string, vars: Record<string, unknown>, dest?: string): Record<string, unknown> {
  const info = statSync(file);
  return {
    ansible_managed: vars.ansible_managed ?? 'Ansible managed',
    template_host: os.hostname(),
    template_path: term,
    template_fullpath: path.resolve(file),
    template_mtime: pythonDateTime(info.mtime),
    template_uid: ownerName(info.uid),
    template_destpath: dest ?? null,
    template_run_date: pythonDateTime(new Date()),
  };
}

export const template = controllerModule<TemplateArgs>(templateModule, async (args, ctx) => {
  const file = findControllerFile(args.src, 'templates', ctx.searchDirs);
  if (statSync(file).isDirectory()) throw new ModuleFailure(`Template source ${file} is a directory`);
  // A vault-encrypted template is opened first, as Ansible's template action does.
  const opened = openedControllerFile(file, ctx);
  const source = opened.content.toString('utf8');
  const vars = { ...ctx.vars, ...templateFileVariables(args.src, file, ctx.vars, args.dest) };
  let text: string;
  try {
    // `{% include %}` searches as the template action does: each directory of the search path
    // and the template's own, each first with its templates/ folder.
    const includePath = [...ctx.searchDirs, path.dirname(file)].flatMap((dir) => [path.join(dir, 'templates'), dir]);
    text = ctx.renderTemplateFile(source, vars, includePath, { trimBlocks: args.trim_blocks ?? true, lstripBlocks: args.lstrip_blocks ?? false });
  } catch (err) {
    throw new ModuleFailure(`${file}: ${(err as Error).message}`);
  }
  // What a vaulted template renders is as secret as the template: never in the output, nor in a --diff.
  if (opened.vaulted) registerSecretText(text);
  return putFile(args, { dest: args.dest, content: Buffer.from(text, 'utf8'), source: file, basename: path.basename(args.src) }, ctx);
});
