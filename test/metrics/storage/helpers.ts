import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Labels, LabelMatcher } from '../../../src/common/labels.js';
import type { MetricsStore } from '../../../src/metrics/storage/index.js';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `obs-${prefix}-`));
}

/** All samples of matching series as [labels-string, [t, v][]] for easy comparison. */
export async function dump(
  store: MetricsStore,
  matchers: LabelMatcher[],
  mint = -Infinity,
  maxt = Infinity,
): Promise<Map<string, [number, number][]>> {
  const q = await store.querier(mint, maxt);
  try {
    const out = new Map<string, [number, number][]>();
    for (const s of await q.select(matchers)) {
      out.set(
        JSON.stringify(s.labels),
        [...s.timestamps].map((t, i) => [t, s.values[i]!]),
      );
    }
    return out;
  } finally {
    await q.close();
  }
}

export function metric(name: string, extra: Labels = {}): Labels {
  return { __name__: name, ...extra };
}
