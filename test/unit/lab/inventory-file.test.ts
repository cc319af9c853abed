import { describe, expect, it } from 'vitest';
import { renderInventory, renderKnownHosts } from '../../../lab/inventory-file.js';

const opts = { privateKey: '/d/id_ed25519', knownHosts: '/d/known_hosts', registry: '10.9.8.2:5000' };

describe('lab inventory and known_hosts', () => {
  it('writes Ansible INI with the key, runtime and socket per host, and known_hosts + registry as group vars', () => {
    const text = renderInventory(
      [
        { name: 'node1', ip: '10.9.8.11', runtime: 'docker', socket: '/run/docker.sock' },
        { name: 'node2', ip: '10.9.8.12', runtime: 'docker', socket: '/run/docker.sock' },
      ],
      opts,
    );
    expect(text.split('\n')).toEqual([
      '[nodes]',
      'node1 ansible_host=10.9.8.11 ansible_user=root ansible_ssh_private_key_file=/d/id_ed25519 hound_container_runtime=docker hound_docker_socket=/run/docker.sock',
      'node2 ansible_host=10.9.8.12 ansible_user=root ansible_ssh_private_key_file=/d/id_ed25519 hound_container_runtime=docker hound_docker_socket=/run/docker.sock',
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
        { name: 'node1', ip: '10.9.8.11', runtime: 'docker', socket: '/run/docker.sock', registryMirrors: ['https://10.9.8.2:5003'] },
        { name: 'node2', ip: '10.9.8.12', runtime: 'docker', socket: '/run/docker.sock', registryMirrors: [] },
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

  it("names each runtime's socket variable, and lists podman nodes again as their rootless user", () => {
    const text = renderInventory(
      [
        { name: 'node1', ip: '10.9.8.11', runtime: 'containerd', socket: '/run/containerd/containerd.sock' },
        {
          name: 'node2',
          ip: '10.9.8.12',
          runtime: 'podman',
          socket: '/run/podman/podman.sock',
          rootless: { user: 'rootless', socket: '/run/user/2300/podman/podman.sock' },
        },
      ],
      opts,
    );
    expect(text).toContain(
      'node1 ansible_host=10.9.8.11 ansible_user=root ansible_ssh_private_key_file=/d/id_ed25519 hound_container_runtime=containerd hound_containerd_socket=/run/containerd/containerd.sock\n',
    );
    expect(text).toContain(
      'node2 ansible_host=10.9.8.12 ansible_user=root ansible_ssh_private_key_file=/d/id_ed25519 hound_container_runtime=podman hound_podman_socket=/run/podman/podman.sock\n',
    );
    expect(text).toContain(
      '\n[podman_rootless]\nnode2-rootless ansible_host=10.9.8.12 ansible_user=rootless ansible_ssh_private_key_file=/d/id_ed25519 hound_container_runtime=podman hound_podman_socket=/run/user/2300/podman/podman.sock\n\n[podman_rootless:vars]\n',
    );
  });

  it('pins each node address to its host key, without the comment', () => {
    const text = renderKnownHosts([
      { ip: '10.9.8.11', publicKey: 'ssh-ed25519 AAAAC3Nza1 node1.test\n' },
      { ip: '10.9.8.12', publicKey: 'ssh-ed25519 AAAAC3Nza2 node2.test' },
    ]);
    expect(text).toBe('10.9.8.11 ssh-ed25519 AAAAC3Nza1\n10.9.8.12 ssh-ed25519 AAAAC3Nza2\n');
  });
});
