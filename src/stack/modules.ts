import type { LogSink } from '../logs/sink.js';
import type { MetricsSource } from '../metrics/appender.js';
import type { Role, RoleContext } from './role.js';

/**
 * Each role's module is reached only through its public door (index.ts).
 * These are the parts of each door the stack uses. A module that is not
 * there (not built yet) makes its role absent rather than failing the stack.
 */
/** The part of a loaded Loki config the stack reads itself. */
export interface LokiConfigView {
  server: { httpListenAddress: string };
}

export interface LogsDoor {
  loadLokiConfig(file: string, opts?: { expandEnv?: boolean }): Promise<LokiConfigView>;
  createLogsRole(
    ctx: RoleContext,
    opts: { config: unknown; port: number },
  ): Promise<Role & { sink: LogSink }>;
  runLogsStandalone(argv: string[]): Promise<void>;
}

export interface MetricsDoor {
  loadPrometheusConfig(file: string): Promise<unknown>;
  parseMetricsFlags(argv: string[]): unknown;
  createMetricsRole(
    ctx: RoleContext,
    opts: {
      config: unknown;
      configFile?: string;
      flags: unknown;
      port: number;
      sources: MetricsSource[];
    },
  ): Promise<Role>;
  runMetricsStandalone(argv: string[]): Promise<void>;
}

export interface AgentDoor {
  loadAlloyConfig(file: string): Promise<unknown>;
  defaultAlloyConfig(opts: { home: string; hostname: string }): string;
  createAgentRole(
    ctx: RoleContext,
    opts: {
      config: unknown;
      inProcessLogs?: { pushUrl: string; sink: LogSink };
      debugPort?: number;
    },
  ): Promise<Role>;
  runAgentStandalone(argv: string[]): Promise<void>;
}

export interface ExportersDoor {
  createNodeExporterSource(opts?: unknown): MetricsSource;
  createCadvisorSource(opts?: unknown): MetricsSource;
  runNodeExporterStandalone(argv: string[]): Promise<void>;
  runCadvisorStandalone(argv: string[]): Promise<void>;
}

export interface Doors {
  logs?: LogsDoor;
  metrics?: MetricsDoor;
  agent?: AgentDoor;
  exporters?: ExportersDoor;
}

const DOORS = {
  logs: ['../logs/index.js', ['loadLokiConfig', 'createLogsRole']],
  metrics: ['../metrics/index.js', ['loadPrometheusConfig', 'createMetricsRole']],
  agent: ['../agent/index.js', ['loadAlloyConfig', 'createAgentRole']],
  exporters: ['../exporters/index.js', ['createNodeExporterSource', 'createCadvisorSource']],
} as const;

/** Imports every door that exists; a missing or incomplete module is left out. */
export async function loadDoors(): Promise<Doors> {
  const doors: Doors = {};
  for (const [name, [spec, required]] of Object.entries(DOORS)) {
    const url = new URL(spec, import.meta.url);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url.href)) as Record<string, unknown>;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (
        e.code === 'ERR_MODULE_NOT_FOUND' &&
        e.message.includes(url.pathname.replace(/\.js$/, ''))
      )
        continue;
      throw err;
    }
    if (required.every((fn) => typeof mod[fn] === 'function')) {
      (doors as Record<string, unknown>)[name] = mod;
    }
  }
  return doors;
}
