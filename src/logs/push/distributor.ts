import { formatLabels } from '../../common/labels.js';
import type { LokiLimits } from '../config/index.js';
import { LogPushError, type LogSink, type LogStream } from '../sink.js';
import type { PushMetrics } from './metrics.js';
import { IngestionRateLimiter } from './rate-limiter.js';
import type { RawStream } from './raw-push.js';
import { StreamLabelCache, validatePush } from './validate.js';

/** The tenant of a single-tenant Loki (auth_enabled: false). */
export const DEFAULT_TENANT = 'fake';

/**
 * Loki's distributor in front of the store: validation, the ingestion rate
 * limit, then the write. Both the HTTP push API and in-process producers
 * (the agent) push through it, so every entry meets the same limits.
 */
export class Distributor implements LogSink {
  private readonly limiter: IngestionRateLimiter;
  private readonly labelCache = new StreamLabelCache();

  constructor(
    private readonly store: LogSink,
    private readonly limits: LokiLimits,
    private readonly metrics: PushMetrics,
  ) {
    this.limiter = IngestionRateLimiter.fromMb(limits.ingestionRateMb, limits.ingestionBurstSizeMb);
  }

  push(streams: LogStream[]): Promise<void> {
    return this.pushRaw(
      streams.map((s) => ({ labels: formatLabels(s.labels), entries: s.entries })),
      DEFAULT_TENANT,
    );
  }

  /** Validates and stores; rejects with Loki's status and message (400, 429). */
  async pushRaw(raw: RawStream[], tenant: string): Promise<void> {
    const result = validatePush(raw, this.limits, Date.now(), this.labelCache);
    for (const d of result.discarded) {
      this.metrics.discardedSamples.inc({ reason: d.reason, tenant }, d.lines);
      this.metrics.discardedBytes.inc({ reason: d.reason, tenant }, d.bytes);
    }
    if (result.streams.length > 0) {
      if (!this.limiter.allow(result.bytes)) {
        this.metrics.discardedSamples.inc({ reason: 'rate_limited', tenant }, result.lines);
        this.metrics.discardedBytes.inc({ reason: 'rate_limited', tenant }, result.bytes);
        throw new LogPushError(
          429,
          `Ingestion rate limit exceeded for user ${tenant} (limit: ${Math.floor(this.limiter.bytesPerSecond)} bytes/sec) while attempting to ingest '${result.lines}' lines totaling '${result.bytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`,
        );
      }
      const { lines, bytes } = result;
      const pushed = this.store.push(result.streams);
      // Nothing refers to the entries while the write waits for its fsync.
      result.streams = [];
      await pushed;
      this.metrics.linesReceived.inc({ tenant }, lines);
      this.metrics.bytesReceived.inc({ tenant }, bytes);
    }
    if (result.error !== undefined) throw new LogPushError(400, result.error);
  }
}
