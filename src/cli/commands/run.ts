import { SEED } from '../../stack/defaults.js';
import { loadDoors, type Doors } from '../../stack/modules.js';
import type { RoleName } from '../../stack/role.js';
import { runUiStandalone } from '../../ui/standalone.js';
import { UsageError } from '../usage-error.js';

/** What each role is a drop-in for, and whose flags it takes. */
export const RUNNABLE: Record<RoleName, { replaces: string; example: string }> = {
  logs: {
    replaces: 'Loki',
    example: 'obs run logs -config.file=loki-config.yml -server.http-listen-port=3100',
  },
  metrics: {
    replaces: 'Prometheus',
    example: 'obs run metrics --config.file=prometheus.yml --storage.tsdb.retention.time=15d',
  },
  agent: {
    replaces: 'Alloy',
    example: 'obs run agent run alloy-config.alloy --storage.path=/var/lib/obs-agent',
  },
  'node-exporter': {
    replaces: 'node_exporter',
    example: `obs run node-exporter --web.listen-address=${SEED.loopback}:${SEED.ports.nodeExporter}`,
  },
  cadvisor: {
    replaces: 'cAdvisor',
    example: 'obs run cadvisor --port=8080 --docker=unix:///var/run/docker.sock',
  },
  ui: { replaces: 'Grafana', example: 'obs run ui --config-dir infra/logging' },
};

type Runner = (argv: string[]) => Promise<void>;

function runnerFor(role: RoleName, doors: Doors): Runner | undefined {
  switch (role) {
    case 'logs':
      return doors.logs?.runLogsStandalone;
    case 'metrics':
      return doors.metrics?.runMetricsStandalone;
    case 'agent':
      return doors.agent?.runAgentStandalone;
    case 'node-exporter':
      return doors.exporters?.runNodeExporterStandalone;
    case 'cadvisor':
      return doors.exporters?.runCadvisorStandalone;
    case 'ui':
      return runUiStandalone;
  }
}

export async function runCommand(argv: string[]): Promise<number> {
  const role = argv[0] as RoleName | undefined;
  if (!role || !(role in RUNNABLE)) {
    throw new UsageError(
      `obs run needs a role: one of ${Object.keys(RUNNABLE).join(', ')}` +
        (role ? ` (got "${role}")` : ''),
    );
  }
  const runner = runnerFor(role, await loadDoors());
  if (!runner) {
    process.stderr.write(
      `the ${role} role (${RUNNABLE[role].replaces}) is not built in this version of obs\n`,
    );
    return 1;
  }
  await runner(argv.slice(1));
  return 0;
}
