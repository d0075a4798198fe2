import { text as bodyText } from 'node:stream/consumers';
import { LogPushError, type LogSink, type LogStream } from '../../../logs/sink.js';
import type { HttpClient } from '../http-client/index.js';
import { encodePushProto } from './push-request.js';

/** Where an endpoint's batches go: a Loki push URL or the in-process logs role. */
export interface PushTarget {
  push(streams: LogStream[]): Promise<void>;
}

/** A push that failed; `retryable` as Alloy decides it (5xx, 429 if enabled, network errors). */
export class PushFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PushFailure';
  }
}

/** Loki's label for a per-entry tenant, set by `stage.tenant`; removed before sending. */
const TENANT_LABEL = '__tenant_id__';

export interface HttpTargetConfig {
  url: string;
  headers: Record<string, string>;
  tenantId?: string;
  remoteTimeoutMs: number;
  retryOn429: boolean;
}

export class HttpPushTarget implements PushTarget {
  constructor(
    private readonly config: HttpTargetConfig,
    private readonly client: HttpClient,
  ) {}

  async push(streams: LogStream[]): Promise<void> {
    for (const [tenant, group] of splitByTenant(streams, this.config.tenantId)) {
      await this.post(encodePushProto(group), tenant);
    }
  }

  close(): void {
    this.client.close();
  }

  private async post(body: Buffer, tenant: string | undefined): Promise<void> {
    const headers: Record<string, string> = {
      ...this.config.headers,
      'Content-Type': 'application/x-protobuf',
      'User-Agent': 'obs-agent (loki.write)',
    };
    if (tenant) headers['X-Scope-OrgID'] = tenant;
    let status: number;
    let text: string;
    try {
      const res = await this.client.request(this.config.url, {
        method: 'POST',
        headers,
        body,
        timeoutMs: this.config.remoteTimeoutMs,
      });
      status = res.status;
      text = (await bodyText(res.body)).trim().slice(0, 1024);
    } catch (err) {
      const message =
        err instanceof Error && err.name === 'TimeoutError'
          ? `timeout after ${this.config.remoteTimeoutMs}ms`
          : err instanceof Error
            ? err.message
            : String(err);
      throw new PushFailure(message, true);
    }
    if (status >= 200 && status < 300) return;
    const retryable = status >= 500 || (status === 429 && this.config.retryOn429);
    throw new PushFailure(`server returned HTTP status ${status}: ${text}`, retryable, status);
  }
}

/** The logs role of the same process: no encoding, no HTTP hop. */
export class SinkPushTarget implements PushTarget {
  constructor(
    private readonly sink: LogSink,
    private readonly retryOn429: boolean,
  ) {}

  async push(streams: LogStream[]): Promise<void> {
    const clean = [...splitByTenant(streams, undefined)].flatMap(([, group]) => group);
    try {
      await this.sink.push(clean);
    } catch (err) {
      if (err instanceof LogPushError) {
        const retryable = err.status >= 500 || (err.status === 429 && this.retryOn429);
        throw new PushFailure(err.message, retryable, err.status);
      }
      throw new PushFailure(err instanceof Error ? err.message : String(err), true);
    }
  }
}

/** Groups streams by their `__tenant_id__` label (removed), else the endpoint's tenant. */
function splitByTenant(
  streams: LogStream[],
  fallback: string | undefined,
): Map<string | undefined, LogStream[]> {
  const out = new Map<string | undefined, LogStream[]>();
  for (const s of streams) {
    let tenant = fallback;
    let stream = s;
    if (TENANT_LABEL in s.labels) {
      const { [TENANT_LABEL]: t, ...labels } = s.labels;
      tenant = t || fallback;
      stream = { labels, entries: s.entries };
    }
    const list = out.get(tenant);
    if (list) list.push(stream);
    else out.set(tenant, [stream]);
  }
  return out;
}
