// docker_image's `source: build` as hound runs it on the node (modules/docker-image-build.ts):
// community.docker 3.4.7's /build parameters as `docker build` words, the build's output as the
// module keeps it, and its failure message. The lab run, against ansible-playbook itself, is
// test/integration/docker-image-build.test.ts.
import { describe, expect, it } from 'vitest';
import { buildFailure, buildOutput, dockerBuildArgv, dockerfileOnNode } from '../../../modules/docker-image-build.js';

describe('docker_image build options as docker build words', () => {
  it('tags name:tag, removes intermediate containers (rm and forcerm) by default, and ends with the context', () => {
    expect(dockerBuildArgv('/var/run/docker.sock', 'app:v1', { path: '/home/u/ctx' })).toEqual([
      'docker',
      '--host',
      'unix:///var/run/docker.sock',
      'build',
      '--tag',
      'app:v1',
      '--rm=true',
      '--force-rm=true',
      '--',
      '/home/u/ctx',
    ]);
    expect(dockerBuildArgv('unix:///run/docker.sock', 'app', { path: 'ctx', rm: false }).slice(2, 8)).toEqual([
      'unix:///run/docker.sock',
      'build',
      '--tag',
      'app',
      '--rm=false',
      '--force-rm=false',
    ]);
  });

  it('maps every option the module passes to /build', () => {
    const argv = dockerBuildArgv('/s', 'app:1', {
      path: '/ctx/',
      dockerfile: 'sub/Dockerfile.prod',
      nocache: true,
      pull: true,
      args: { log_volume: '/var/log/myapp', listen_port: 8080, debug: true, none: null },
      cache_from: ['nginx:latest', 'alpine:3.8'],
      target: 'final',
      network: 'host',
      etc_hosts: { 'db.local': '10.0.0.2', flag: true },
      platform: 'linux/arm64',
      container_limits: { memory: 1048576, memswap: -1, cpushares: 512, cpusetcpus: '0,1' },
    });
    expect(argv.slice(8)).toEqual([
      '--no-cache',
      '--pull',
      '--file',
      '/ctx/sub/Dockerfile.prod',
      // Python's str() of each value, as the module's to_native.
      '--build-arg',
      'log_volume=/var/log/myapp',
      '--build-arg',
      'listen_port=8080',
      '--build-arg',
      'debug=True',
      '--build-arg',
      'none=None',
      '--cache-from',
      'nginx:latest',
      '--cache-from',
      'alpine:3.8',
      '--target',
      'final',
      '--network',
      'host',
      '--add-host',
      'db.local:10.0.0.2',
      '--add-host',
      'flag:true',
      '--platform',
      'linux/arm64',
      '--memory',
      '1048576',
      '--memory-swap',
      '-1',
      '--cpu-shares',
      '512',
      '--cpuset-cpus',
      '0,1',
      '--',
      '/ctx/',
    ]);
  });

  it('reads a relative dockerfile from the context, as the module does, not from the working directory', () => {
    expect(dockerfileOnNode('/ctx', 'Dockerfile.alt')).toBe('/ctx/Dockerfile.alt');
    expect(dockerfileOnNode('/ctx//', '../elsewhere/Dockerfile')).toBe('/ctx/../elsewhere/Dockerfile');
    expect(dockerfileOnNode('/ctx', '/abs/Dockerfile')).toBe('/abs/Dockerfile');
  });
});

describe("the build's output and failure as the module reports them", () => {
  it("keeps the stream's lines, an empty line after each step, and leaves out the CLI's line about the context", () => {
    const cli =
      'Sending build context to Docker daemon  3.072kB\r\nStep 1/2 : FROM scratch\n ---> \nStep 2/2 : COPY a /a\n ---> 5dfbc78c2866\nSuccessfully built 5dfbc78c2866\n';
    expect(buildOutput(cli)).toEqual([
      'Step 1/2 : FROM scratch',
      '',
      ' ---> ',
      'Step 2/2 : COPY a /a',
      '',
      ' ---> 5dfbc78c2866',
      'Successfully built 5dfbc78c2866',
    ]);
    expect(buildOutput('')).toEqual([]);
  });

  it("says code None unless a RUN step failed, and shows the logs as Python's list", () => {
    expect(buildFailure('app', 'COPY failed: stat x: file does not exist', ['Step 1/1 : COPY x /', ''])).toBe(
      "Error building app - code: None, message: COPY failed: stat x: file does not exist, logs: ['Step 1/1 : COPY x /', '']",
    );
    expect(buildFailure('app', "The command '/bin/sh -c false' returned a non-zero code: 1", ["it's"])).toBe(
      "Error building app - code: 1, message: The command '/bin/sh -c false' returned a non-zero code: 1, logs: ['it\\'s']",
    );
  });
});
