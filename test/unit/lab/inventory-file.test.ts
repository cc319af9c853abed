import { describe, expect, it } from 'vitest';
import { renderInventory, renderKnownHosts } from '../../../lab/inventory-file.js';

describe('lab inventory and known_hosts', () => {
  it('writes Ansible INI with the key per host and known_hosts + registry as group vars', () => {
    const text = renderInventory(
      [
        { name: 'node1', ip: '10.9.8.11' },
        { name: 'node2', ip: '10.9.8.12' },
      ],
      { privateKey: '/d/id_ed25519', knownHosts: '/d/known_hosts', registry: '10.9.8.2:5000' },
    );
    expect(text.split('\n')).toEqual([
      '[nodes]',
      'node1 ansible_host=10.9.8.11 ansible_user=root ansible_ssh_private_key_file=/d/id_ed25519',
      'node2 ansible_host=10.9.8.12 ansible_user=root ansible_ssh_private_key_file=/d/id_ed25519',
      '',
      '[nodes:vars]',
      "ansible_ssh_common_args='-o UserKnownHostsFile=/d/known_hosts'",
      'lab_registry=10.9.8.2:5000',
      '',
    ]);
  });

  it('puts the nodes with a registry mirror in group `mirrored`, and the TLS registries and the lab CA in the group vars', () => {
    const text = renderInventory(
      [
        { name: 'node1', ip: '10.9.8.11', registryMirrors: ['https://10.9.8.2:5003'] },
        { name: 'node2', ip: '10.9.8.12', registryMirrors: [] },
      ],
      {
        privateKey: '/d/id_ed25519',
        knownHosts: '/d/known_hosts',
        registry: '10.9.8.2:5000',
        secure: { basic: '10.9.8.2:5001', token: '10.9.8.2:5002', mirror: '10.9.8.2:5003', clientCertificate: '10.9.8.2:5005', caCert: '/d/tls/ca.crt' },
      },
    );
    expect(text.split('\n').slice(4)).toEqual([
      '[mirrored]',
      'node1',
      '',
      '[nodes:vars]',
      "ansible_ssh_common_args='-o UserKnownHostsFile=/d/known_hosts'",
      'lab_registry=10.9.8.2:5000',
      'lab_basic_registry=10.9.8.2:5001',
      'lab_token_registry=10.9.8.2:5002',
      'lab_mirror=10.9.8.2:5003',
      'lab_client_certificate_registry=10.9.8.2:5005',
      'hound_registry_ca=/d/tls/ca.crt',
      '',
    ]);
  });

  it('pins each node address to its host key, without the comment', () => {
    const text = renderKnownHosts([
      { ip: '10.9.8.11', publicKey: 'ssh-ed25519 AAAAC3Nza1 node1.test\n' },
      { ip: '10.9.8.12', publicKey: 'ssh-ed25519 AAAAC3Nza2 node2.test' },
    ]);
    expect(text).toBe('10.9.8.11 ssh-ed25519 AAAAC3Nza1\n10.9.8.12 ssh-ed25519 AAAAC3Nza2\n');
  });
});
