import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerTargets } from '../../../src/agent/components/docker/targets.js';
import type { ContainerSummary, NetworkSummary } from '../../../src/common/docker-client.js';

const network = (Id: string, Name: string): NetworkSummary => ({
  Id,
  Name,
  Scope: 'local',
  Internal: false,
  Ingress: false,
  Labels: null,
});

const container = (ports: ContainerSummary['Ports'], mode = 'back_net'): ContainerSummary => ({
  Id: 'c1',
  Names: ['/web'],
  Image: 'nginx',
  ImageID: 'sha256:x',
  Command: '',
  Created: 0,
  Ports: ports,
  Labels: null,
  State: 'running',
  Status: 'Up',
  HostConfig: { NetworkMode: mode },
  NetworkSettings: {
    Networks: {
      // Listed out of order: match_first_network takes the first by name.
      zeta: { NetworkID: 'nz', IPAddress: '10.0.2.5' },
      alpha: { NetworkID: 'na', IPAddress: '10.0.1.5' },
    },
  },
});

test('match_first_network, port and host_networking_host as Prometheus docker SD applies them', () => {
  const networks = [network('na', 'alpha'), network('nz', 'zeta')];
  const o = { port: 9100, hostNetworkingHost: 'localhost', matchFirstNetwork: true };
  const addresses = (c: ContainerSummary, opts = o) =>
    dockerTargets([c], networks, opts).map(
      (l) => `${l.__meta_docker_network_name} ${l.__address__}`,
    );
  assert.deepEqual(addresses(container([])), ['alpha 10.0.1.5:9100']);
  assert.deepEqual(addresses(container([]), { ...o, matchFirstNetwork: false }), [
    'zeta 10.0.2.5:9100',
    'alpha 10.0.1.5:9100',
  ]);
  assert.deepEqual(
    addresses(
      container([
        { PrivatePort: 80, Type: 'tcp' },
        { PrivatePort: 53, Type: 'udp' },
      ]),
    ),
    ['alpha 10.0.1.5:80'],
  );
  assert.deepEqual(addresses(container([], 'host'), { ...o, hostNetworkingHost: 'node1' }), [
    'alpha node1',
  ]);
});
