import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResumeFilter } from '../../../src/agent/components/docker/container-reader.js';
import type { DockerLogLine } from '../../../src/common/docker-client.js';

const line = (ts: number, text: string): DockerLogLine => ({
  stream: 'stdout',
  timestamp: BigInt(ts),
  line: text,
});

test('a resumed container log skips up to the committed line, in the log order', () => {
  const cases: { why: string; committed: number; stream: [number, string][]; want: string[] }[] = [
    {
      why: 'fresh start: everything',
      committed: 0,
      stream: [
        [5, 'a'],
        [3, 'b'],
      ],
      want: ['a', 'b'],
    },
    {
      why: 'stderr stamped earlier but logged after the committed line is new',
      committed: 100,
      stream: [
        [90, 'old'],
        [101, 'old, out of order'],
        [100, 'committed'],
        [99, 'new'],
        [102, 'new 2'],
      ],
      want: ['new', 'new 2'],
    },
    {
      why: 'committed line rotated away: lines after its time are new',
      committed: 100,
      stream: [
        [50, 'old'],
        [150, 'held'],
        [2_000_000_000, 'later'],
      ],
      want: ['held', 'later'],
    },
  ];
  for (const c of cases) {
    const f = new ResumeFilter(BigInt(c.committed));
    const out: string[] = [];
    for (const [ts, text] of c.stream) out.push(...f.take(line(ts, text)).map((l) => l.line));
    out.push(...f.end().map((l) => l.line));
    assert.deepEqual(out, c.want, c.why);
  }
});
