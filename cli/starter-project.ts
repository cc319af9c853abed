// The files `hound init` writes: a starter inventory and playbook that run as they are
// once the host names and images are edited. Kept as data so a test can check they parse.

export const STARTER_FILES: Record<string, string> = {
  'hosts.ini': `# hound inventory (Ansible INI). Each group can need different images: see group_vars/.
# Reach nodes over SSH as Ansible would: ansible_host, ansible_user, ansible_port,
# ansible_ssh_private_key_file, ansible_ssh_common_args all work.

[gpu]
gpu[01:02].example.internal

[web]
web[01:03].example.internal

[all:vars]
ansible_user=root
`,
  'group_vars/all.yml': `# Images every node needs (a host's own list can extend it: see group_vars/gpu.yml).
images:
  - docker.io/library/busybox:1.36
`,
  'group_vars/gpu.yml': `images:
  - docker.io/library/busybox:1.36
  - nvcr.io/nvidia/pytorch:24.05-py3
`,
  'warmup.yml': `# Pull onto every node the images listed in its \`images\` variable.
# Preview:  hound plan warmup.yml -i hosts.ini
# Run:      hound play warmup.yml -i hosts.ini
- name: Warm up each node's images
  hosts: all
  gather_facts: false
  tasks:
    - name: Pull the images this node needs
      images:
        names: "{{ images | default([]) }}"
`,
};
