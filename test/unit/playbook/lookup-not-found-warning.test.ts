// Ansible's file lookups warn `Unable to find '…' in expected paths` when the file (or
// fileglob's folder) is on no search path, before errors= decides what the failure becomes;
// first_found looks without that warning. Both tools run the playbook on the implicit
// localhost (hound through the built CLI: run `npx tsc -p .` first).
import { afterAll, describe, expect, it } from 'vitest';
import { localhostOracle } from '../localhost-oracle.js';

const oracle = localhostOracle('lookup-not-found', ['--reporter', 'plain']);
afterAll(() => oracle.cleanUp());

/** Each not-found warning's file, in order (ansible-playbook wraps its warnings at 80 columns). */
function notFound(output: string): string[] {
  const joined = output.replace(/\s+/g, ' ');
  return [...joined.matchAll(/\[WARNING\]: Unable to find '([^']*)' in expected paths \(use -vvvvv to see paths\)/g)].map((m) => m[1]);
}

describe("the file lookups' not-found warning, against ansible-playbook", { timeout: 120_000 }, () => {
  it('file (ignore, warn), unvault, template, fileglob with a folder; not first_found', () => {
    const { ansible, hound } = oracle.run(`- hosts: localhost
  gather_facts: false
  tasks:
    - debug: {msg: "[{{ lookup('file', 'missing.txt', errors='ignore') }}]"}
    - debug: {msg: "[{{ lookup('file', 'missing.txt', errors='warn') }}]"}
    - debug: {msg: "[{{ lookup('unvault', 'gone.txt', errors='ignore') }}]"}
    - debug: {msg: "[{{ lookup('template', 'nope.j2', errors='ignore') }}]"}
    - debug: {msg: "[{{ lookup('fileglob', 'nothere/*.txt') }}]"}
    - debug: {msg: "[{{ lookup('fileglob', '*.nothing') }}]"}
    - debug: {msg: "[{{ lookup('first_found', ['a.txt', 'b.txt'], errors='ignore') }}]"}
`);
    expect(notFound(ansible.output)).toEqual(['missing.txt', 'missing.txt', 'gone.txt', 'nope.j2', 'nothere']);
    expect(notFound(hound.output)).toEqual(notFound(ansible.output));
    expect([hound.code, ansible.code]).toEqual([0, 0]);
  });
});
