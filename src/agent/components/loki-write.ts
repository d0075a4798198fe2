import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Labels } from '../../common/labels.js';
import type { LogStream } from '../../logs/sink.js';
import type {
  AgentEntry,
  ArgumentSchema,
  Component,
  ComponentDefinition,
  ComponentOptions,
  LogsReceiver,
} from '../component.js';
import { aborted } from './aborted.js';
import {
  httpClientFromArgs,
  httpHeaders,
  validateHttpClient,
  withHttpClient,
} from './http-client/index.js';
import { parseByteSize } from './write/bytes.js';
import { DiskBuffer } from './write/disk-buffer.js';
import { Endpoint } from './write/endpoint.js';
import { isInProcessEndpoint } from './write/in-process-endpoint.js';
import { HttpPushTarget, SinkPushTarget, type PushTarget } from './write/push-target.js';

/** Alloy 1.x's `loki.write` arguments (docs/sources/reference/components/loki/loki.write.md). */
const schema: ArgumentSchema = {
  attributes: {
    external_labels: { type: 'map', default: {} },
    max_streams: { type: 'number', default: 0 },
  },
  blocks: {
    endpoint: {
      multiple: true,
      schema: withHttpClient({
        attributes: {
          url: { type: 'string', required: true },
          name: { type: 'string' },
          batch_size: { type: 'string', default: '1MiB' },
          batch_wait: { type: 'duration', default: '1s' },
          headers: { type: 'map', default: {} },
          tenant_id: { type: 'string' },
          min_backoff_period: { type: 'duration', default: '500ms' },
          max_backoff_period: { type: 'duration', default: '5m' },
          max_backoff_retries: { type: 'number', default: 10 },
          retry_on_http_429: { type: 'bool', default: true },
          remote_timeout: { type: 'duration', default: '10s' },
        },
        blocks: {
          queue_config: {
            schema: {
              attributes: {
                capacity: { type: 'string', default: '10MiB' },
                drain_timeout: { type: 'duration', default: '1m' },
                block_on_overflow: { type: 'bool', default: true },
                min_shards: { type: 'number', default: 1 },
              },
              blocks: {},
            },
          },
        },
      }),
    },
    wal: {
      schema: {
        attributes: {
          enabled: { type: 'bool', default: false },
          drain_timeout: { type: 'duration', default: '30s' },
          max_read_frequency: { type: 'duration', default: '1s' },
          min_read_frequency: { type: 'duration', default: '250ms' },
          max_segment_age: { type: 'duration', default: '1h' },
        },
        blocks: {},
      },
    },
  },
};

/**
 * The disk buffer's ceiling per endpoint: past it senders wait instead of
 * the agent filling the disk (at the seed's ~200 KB/s that is 40 minutes of
 * the store being down).
 */
const MAX_BUFFER_BYTES = 512 * 1024 * 1024;

type EndpointArgs = Record<string, unknown> & { url: string };

class LokiWrite implements Component {
  readonly id: string;
  private endpoints: RunningEndpoint[] = [];
  private ready: Promise<void> = Promise.resolve();
  private externalLabels: Labels = {};
  private maxStreams = 0;
  /**
   * Each label object seen (sources and loki.process keep one per file,
   * container or label set, unchanged) with external labels added and its
   * stream key, so a batch keys each label set once, not each line.
   */
  private streamLabels = new WeakMap<Labels, { labels: Labels; key: string }>();
  private error: string | undefined;
  private runSignal: AbortSignal | undefined;
  private readonly receiver: LogsReceiver = { send: (entries) => this.send(entries) };

  constructor(
    private readonly options: ComponentOptions,
    args: Record<string, unknown>,
  ) {
    this.id = options.id;
    this.ready = this.apply(args);
    this.ready.catch(() => undefined);
  }

  exports(): Record<string, unknown> {
    return { receiver: this.receiver };
  }

  update(args: Record<string, unknown>): Promise<void> {
    this.ready = this.ready.catch(() => undefined).then(() => this.apply(args));
    return this.ready;
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.ready;
    this.runSignal = signal;
    for (const e of this.endpoints) start(e);
    await aborted(signal);
    await this.ready.catch(() => undefined);
    for (const e of this.endpoints) await stop(e);
  }

  health(): { healthy: boolean; message?: string } {
    return this.error ? { healthy: false, message: this.error } : { healthy: true };
  }

  private async send(entries: AgentEntry[]): Promise<void> {
    await this.ready;
    if (entries.length === 0) return;
    const { streams, bytes } = this.group(entries);
    await Promise.all(this.endpoints.map((e) => e.endpoint.send(streams, entries.length, bytes)));
  }

  /** Entries by label set, external labels added (an entry's own labels win, as in Alloy). */
  private group(entries: AgentEntry[]): { streams: LogStream[]; bytes: number } {
    const byLabels = new Map<Labels, LogStream>();
    const byKey = new Map<string, LogStream>();
    let bytes = 0;
    for (const e of entries) {
      bytes += e.line.length;
      let s = byLabels.get(e.labels);
      if (!s) {
        let stream = this.streamLabels.get(e.labels);
        if (!stream) {
          const labels = { ...this.externalLabels, ...e.labels };
          stream = { labels, key: labelKey(labels) };
          this.streamLabels.set(e.labels, stream);
        }
        const { labels, key } = stream;
        s = byKey.get(key);
        if (!s) {
          if (this.maxStreams > 0 && byKey.size >= this.maxStreams) {
            this.options.metrics?.dropped(1, 'stream_limit');
            continue;
          }
          byKey.set(key, (s = { labels, entries: [] }));
        }
        byLabels.set(e.labels, s);
      }
      s.entries.push(
        e.metadata ? { timestamp: e.timestamp, line: e.line, metadata: e.metadata } : e,
      );
    }
    return { streams: [...byKey.values()], bytes };
  }

  private async apply(args: Record<string, unknown>): Promise<void> {
    this.externalLabels = (args.external_labels as Labels | undefined) ?? {};
    this.streamLabels = new WeakMap();
    this.maxStreams = (args.max_streams as number | undefined) ?? 0;
    const list = (args.endpoint as EndpointArgs[] | undefined) ?? [];
    const wanted = list.map((e) => ({ args: e, key: JSON.stringify(e) }));
    const same =
      wanted.length === this.endpoints.length &&
      wanted.every((w, i) => w.key === this.endpoints[i]!.key);
    if (same) return;
    try {
      const next = [];
      for (const w of wanted) next.push(await this.makeEndpoint(w.args, w.key));
      const old = this.endpoints;
      this.endpoints = next;
      this.error = undefined;
      if (this.runSignal && !this.runSignal.aborted) for (const e of next) start(e);
      for (const e of old) await stop(e);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }

  private async makeEndpoint(a: EndpointArgs, key: string) {
    const name =
      (a.name as string | undefined) ??
      createHash('sha256').update(a.url).digest('hex').slice(0, 6);
    const batchSize = parseByteSize((a.batch_size as string | undefined) ?? '1MiB');
    if (batchSize === undefined)
      throw new Error(`loki.write: invalid batch_size "${String(a.batch_size)}"`);
    const retryOn429 = (a.retry_on_http_429 as boolean | undefined) ?? true;
    validateHttpClient(a);
    const inProcess = this.options.inProcessLogs;
    let target: PushTarget;
    let close: (() => void) | undefined;
    if (inProcess && isInProcessEndpoint(a.url, inProcess.pushUrl)) {
      target = new SinkPushTarget(inProcess.sink, retryOn429);
    } else {
      const http = new HttpPushTarget(
        {
          url: a.url,
          headers: headers(a),
          tenantId: a.tenant_id as string | undefined,
          remoteTimeoutMs: (a.remote_timeout as number | undefined) ?? 10_000,
          retryOn429,
        },
        httpClientFromArgs(a),
      );
      target = http;
      close = () => http.close();
    }
    const buffer = await DiskBuffer.open(join(this.options.dataPath, 'buffer', name));
    const endpoint = new Endpoint(
      {
        name,
        batchSizeBytes: batchSize,
        batchWaitMs: (a.batch_wait as number | undefined) ?? 1000,
        minBackoffMs: (a.min_backoff_period as number | undefined) ?? 500,
        maxBackoffMs: (a.max_backoff_period as number | undefined) ?? 300_000,
        maxRetries: (a.max_backoff_retries as number | undefined) ?? 10,
        maxBufferBytes: MAX_BUFFER_BYTES,
      },
      target,
      buffer,
      this.options.logger,
      this.options.metrics,
    );
    return { endpoint, buffer, key, close, stop: new AbortController() };
  }
}

interface RunningEndpoint {
  endpoint: Endpoint;
  buffer: DiskBuffer;
  key: string;
  close?: () => void;
  stop: AbortController;
  running?: Promise<void>;
}

function start(e: RunningEndpoint): void {
  e.running ??= e.endpoint.run(e.stop.signal);
}

/** Stops draining, writes what is queued to the buffer, closes it. */
async function stop(e: RunningEndpoint): Promise<void> {
  e.stop.abort();
  await e.running;
  await e.buffer.close();
  e.close?.();
}

function labelKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const n of names) key += `${n}\u0000${labels[n]}\u0001`;
  return key;
}

/** `headers` plus `http_headers`. */
function headers(a: Record<string, unknown>): Record<string, string> {
  return { ...((a.headers as Record<string, string>) ?? {}), ...httpHeaders(a) };
}

export const lokiWrite: ComponentDefinition = {
  name: 'loki.write',
  arguments: schema,
  build: (options, args) => new LokiWrite(options, args),
};
