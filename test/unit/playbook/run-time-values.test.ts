// What the run learns is data, not templates (Ansible's unsafe values), and the compiler sees
// every variable a template reads, a method's object included. Both were found by the
// kubespray corpus entry on the lab: its registered `docker images` command line holds Go
// templates, and its set_fact reads `docker_images.stdout.split(',')`.
import { describe, expect, it } from 'vitest';
import { markRunTimeValue, referencedNames, renderValue } from '../../../playbook/templating.js';

describe('registered results', () => {
  it('are not rendered again when read: template-looking text from a node stays text', () => {
    const out = markRunTimeValue({ stdout: "{{ lookup('env', 'HOME') }}", cmd: "docker inspect -f '{{ '{{' }} .Id }}'" });
    expect(renderValue('{{ out.stdout }}', { out })).toBe("{{ lookup('env', 'HOME') }}");
    expect(renderValue("{{ 'x' in out.stdout.split(',') }}", { out })).toBe(false);
  });

  it('while a variable written as a template is still rendered when read', () => {
    expect(renderValue('{{ greeting }}', { greeting: '{{ name }}!', name: 'hi' })).toBe('hi!');
  });
});

describe('referencedNames', () => {
  it("names a method's object, not the method", () => {
    expect([...referencedNames("{{ docker_images.stdout.split(',') }}")]).toEqual(['docker_images']);
    expect([...referencedNames("{{ lookup('env', 'HOME') }}")]).toEqual([]);
    expect([...referencedNames('{{ a | default(b) }}')].sort()).toEqual(['a', 'b']);
  });
});
