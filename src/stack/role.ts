import type { Logger } from 'pino';

/** The roles of the seed, by the names `obs run ROLE` takes. */
export type RoleName = 'logs' | 'metrics' | 'agent' | 'node-exporter' | 'cadvisor' | 'ui';

export type RoleState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed' | 'absent';

/** What `obs status` shows of one role. */
export interface RoleStatus {
  name: RoleName;
  state: RoleState;
  /** `http://127.0.0.1:3100` for roles that listen. */
  address?: string;
  /** Path of the role's own health endpoint, e.g. `/ready`. */
  healthPath?: string;
  dataDir?: string;
  diskBytes?: number;
  retention?: string;
  lastError?: string;
}

/**
 * One running role. `start` resolves once the role is ready to serve;
 * `stop` stops accepting work, flushes what was accepted, and resolves when
 * everything acknowledged is durable.
 */
export interface Role {
  readonly name: RoleName;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): RoleStatus;
}

/** Everything a role factory gets from the stack. */
export interface RoleContext {
  logger: Logger;
  /** The role's own directory under the data dir (created by the stack). */
  dataDir: string;
  /** Host to bind (127.0.0.1 unless the user asked otherwise). */
  listenHost: string;
}
