// `template`: a Jinja2 file of the controller (looked up in the role's and playbook's
// `templates/` as Ansible's template action looks it up), rendered on the controller with
// hound's templating and the task's variables (plus ansible_managed and the template_*
// variables Ansible adds), then written on the node as `copy` writes it. As Ansible renders
// templates, the first newline after a block or comment tag is removed (trim_blocks, which
// hound's templating applies to every template, as Ansible's environment does).
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { templateModule } from './file-schemas.js';
import { ModuleFailure, controllerModule } from './implementation.js';
import { findControllerFile, putFile, type CopyArgs } from './copy.js';

export interface TemplateArgs extends CopyArgs {
  src: string;
  trim_blocks?: boolean;
  lstrip_blocks?: boolean;
}

export const template = controllerModule<TemplateArgs>(templateModule, async (args, ctx) => {
  const file = findControllerFile(args.src, 'templates', ctx.searchDirs);
  if (statSync(file).isDirectory()) throw new ModuleFailure(`Template source ${file} is a directory`);
  const source = readFileSync(file, 'utf8');
  const vars = {
    ...ctx.vars,
    ansible_managed: ctx.vars.ansible_managed ?? 'Ansible managed',
    template_host: os.hostname(),
    template_path: file,
    template_fullpath: path.resolve(file),
    template_uid: os.userInfo().username,
    template_destpath: args.dest,
    template_run_date: new Date().toISOString().replace('T', ' ').replace('Z', ''),
  };
  let text: string;
  try {
    // `{% include %}` searches as the template action does: each directory of the search path
    // and the template's own, each first with its templates/ folder.
    const includePath = [...ctx.searchDirs, path.dirname(file)].flatMap((dir) => [path.join(dir, 'templates'), dir]);
    text = ctx.renderTemplateFile(source, vars, includePath, { trimBlocks: args.trim_blocks ?? true, lstripBlocks: args.lstrip_blocks ?? false });
  } catch (err) {
    throw new ModuleFailure(`${file}: ${(err as Error).message}`);
  }
  return putFile(args, { dest: args.dest, content: Buffer.from(text, 'utf8'), source: file, basename: path.basename(args.src) }, ctx);
});
