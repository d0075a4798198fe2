import type { Labels } from '../../../src/common/labels.js';
import type { Appendable, SampleAppender } from '../../../src/metrics/appender.js';
import { isStaleMarker } from '../../../src/metrics/queryable.js';

export interface StoredSample {
  labels: Labels;
  t: number;
  v: number;
  stale: boolean;
}

/** An Appendable that keeps committed samples in memory, with stale markers told apart by their bits. */
export class MemoryAppendable implements Appendable {
  readonly samples: StoredSample[] = [];
  commits = 0;

  appender(): SampleAppender {
    const pending: StoredSample[] = [];
    const buf = new Float64Array(1);
    return {
      append: (labels, t, v) => {
        buf[0] = v;
        pending.push({ labels: { ...labels }, t, v, stale: isStaleMarker(buf, 0) });
      },
      commit: async () => {
        this.samples.push(...pending);
        this.commits++;
      },
      rollback: () => {
        pending.length = 0;
      },
    };
  }

  /** Samples of one metric name, optionally only those matching more labels. */
  named(name: string, match: Labels = {}): StoredSample[] {
    return this.samples.filter(
      (s) =>
        s.labels.__name__ === name && Object.entries(match).every(([k, v]) => s.labels[k] === v),
    );
  }

  last(name: string, match: Labels = {}): StoredSample | undefined {
    const all = this.named(name, match);
    return all[all.length - 1];
  }
}

/** Waits until `check` returns true, polling; fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
