import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseLokiConfig } from '../../../src/logs/config/index.js';
import { RetentionCompactor, retentionPeriodFor } from '../../../src/logs/retention/index.js';
import { compileRetentionRules } from '../../../src/logs/retention/index.js';
import { DAY_NS, LogStore } from '../../../src/logs/store/index.js';

const HOUR_MS = 3_600_000;
const NOW_MS = Date.parse('2026-11-20T12:00:00Z');
const NOW_NS = BigInt(NOW_MS) * 1_000_000n;

describe('retentionPeriodFor (Loki rule precedence)', () => {
  const rules = compileRetentionRules([
    { selector: '{env="dev"}', priority: 1, periodMs: 24 * HOUR_MS },
    { selector: '{env="dev", team="a"}', priority: 1, periodMs: 48 * HOUR_MS },
    { selector: '{app=~"audit.*"}', priority: 5, periodMs: 2000 * HOUR_MS },
  ]);
  const cases: [Record<string, string>, number, string][] = [
    [{ env: 'prod' }, 720, 'no rule: the global period'],
    [{ env: 'dev' }, 24, 'one rule'],
    [{ env: 'dev', team: 'a' }, 24, 'equal priorities: the shortest period'],
    [{ env: 'dev', app: 'audit-log' }, 2000, 'the highest priority wins'],
  ];
  for (const [labels, hours, why] of cases) {
    it(why, () => assert.equal(retentionPeriodFor(labels, rules, 720 * HOUR_MS), hours * HOUR_MS));
  }
});

describe('RetentionCompactor', () => {
  let dir: string;
  let store: LogStore;
  let now = NOW_MS;

  const line = (i: number): string =>
    `ts=${i} level=info msg="request served" path=/api/items/${i % 1000} took=${i % 97}ms`;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-retention-'));
    store = await LogStore.open({ dir });
    // 40 days old (past 720h), 10 days old, and 1 hour old.
    for (const [ageH, n] of [
      [40 * 24, 200_000],
      [10 * 24, 1000],
      [1, 1000],
    ] as const) {
      const base = NOW_NS - BigInt(ageH) * 3_600_000_000_000n;
      for (let off = 0; off < n; off += 10_000) {
        const size = Math.min(10_000, n - off);
        await store.push(
          ['prod', 'dev'].map((env) => ({
            labels: { job: 'app', env },
            entries: Array.from({ length: size / 2 }, (_, i) => ({
              timestamp: base + BigInt(off + i) * 1000n,
              line: line(off + i),
            })),
          })),
        );
      }
    }
    await store.checkpoint();
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const count = async (env: string): Promise<number> => {
    let n = 0;
    for await (const b of store.selectEntries({
      matchers: [{ type: '=', name: 'env', value: env }],
      filters: [],
      startNs: NOW_NS - 60n * DAY_NS,
      endNs: NOW_NS + DAY_NS,
      direction: 'forward',
    }))
      n += b.length;
    return n;
  };

  it('hides days past retention at once, applies retention_stream, drops and reclaims after the delay', async () => {
    const config = parseLokiConfig(
      'loki.yml',
      [
        'limits_config:',
        '  retention_period: 720h',
        '  retention_stream:',
        '    - selector: \'{env="dev"}\'',
        '      priority: 1',
        '      period: 120h',
        'compactor:',
        '  retention_delete_delay: 2h',
      ].join('\n'),
    );
    const compactor = new RetentionCompactor(store, config, undefined, () => now);
    assert.equal(await count('prod'), 100_000 + 500 + 500);
    assert.equal(await count('dev'), 100_000 + 500 + 500);
    const sizeBefore = store.diskBytes();

    const first = await compactor.runOnce();
    assert.equal(first.retiredDays.length, 1);
    assert.deepEqual(first.droppedDays, [], 'not dropped before retention_delete_delay');
    assert.equal(first.deletedEntries, 500, 'dev entries older than 120h deleted');
    assert.equal(await count('prod'), 1000, 'the 40-day-old day is gone from queries');
    assert.equal(await count('dev'), 500, 'dev keeps only its last 120h');
    assert.deepEqual(
      await store.labelValues('env', NOW_NS - 60n * DAY_NS, NOW_NS - 30n * DAY_NS),
      [],
    );

    now += 2 * HOUR_MS + 1;
    const second = await compactor.runOnce();
    assert.deepEqual(second.droppedDays, first.retiredDays);
    assert.ok(
      store.diskBytes() < sizeBefore * 0.7,
      `disk reclaimed: ${sizeBefore} -> ${store.diskBytes()} bytes`,
    );
    assert.equal(await count('prod'), 1000);
  });
});

describe('RetentionCompactor without retention_enabled', () => {
  it('runs on its interval and settles idle days, deleting nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-compact-only-'));
    const store = await LogStore.open({ dir });
    try {
      for (const ageH of [40 * 24, 1]) {
        const base = NOW_NS - BigInt(ageH) * 3_600_000_000_000n;
        await store.push([
          {
            labels: { job: 'app' },
            entries: Array.from({ length: 100 }, (_, i) => ({
              timestamp: base + BigInt(i) * 1000n,
              line: `line ${i}`,
            })),
          },
        ]);
      }
      const config = parseLokiConfig(
        'loki.yml',
        [
          'limits_config:',
          '  retention_period: 24h',
          'compactor:',
          '  retention_enabled: false',
          '  compaction_interval: 1s',
        ].join('\n'),
      );
      // Loaded, then idle for the interval: the first run, at start, settles both days.
      await store.checkpoint();
      await new Promise((r) => setTimeout(r, 1100));
      const compactor = new RetentionCompactor(store, config, undefined, () => NOW_MS);
      compactor.start();
      await compactor.stop();
      assert.deepEqual(await store.settle(0), [], 'both days were settled by the run at start');
      const report = await compactor.runOnce();
      assert.deepEqual(
        [report.retiredDays, report.droppedDays, report.deletedEntries],
        [[], [], 0],
        'nothing past retention_period is removed',
      );
      let n = 0;
      for await (const b of store.selectEntries({
        matchers: [{ type: '=', name: 'job', value: 'app' }],
        filters: [],
        startNs: NOW_NS - 60n * DAY_NS,
        endNs: NOW_NS + DAY_NS,
        direction: 'forward',
      }))
        n += b.length;
      assert.equal(n, 200);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
