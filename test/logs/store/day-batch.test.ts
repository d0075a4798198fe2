import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DayBatch, SEAL_UNITS } from '../../../src/logs/store/day-batch.js';
import { LONG_LINE_BYTES } from '../../../src/logs/store/partitions.js';

const Q = '\u0001';

/** Rows as the segment files hold them: `stream_id,ts,<Q>line<Q>,<Q>metadata<Q>`. */
const CASES: {
  name: string;
  line: string;
  metadata?: Record<string, string>;
  row: string;
  kind: 'entries' | 'entries_long';
}[] = [
  {
    name: 'plain',
    line: 'level=info msg=ok',
    row: `7,100,${Q}level=info msg=ok${Q},\n`,
    kind: 'entries',
  },
  { name: 'empty', line: '', row: `7,100,${Q}${Q},\n`, kind: 'entries' },
  {
    name: 'two- and three-byte UTF-8, a surrogate pair',
    line: 'ünï → 😀',
    row: `7,100,${Q}ünï → 😀${Q},\n`,
    kind: 'entries',
  },
  {
    name: 'the quote doubled',
    line: `a${Q}b`,
    row: `7,100,${Q}a${Q}${Q}b${Q},\n`,
    kind: 'entries',
  },
  {
    // JSON escapes the quote character itself.
    name: 'metadata',
    line: 'x',
    metadata: { trace: `t${Q}1`, q: '"' },
    row: `7,100,${Q}x${Q},${Q}{"trace":"t\\u00011","q":"\\""}${Q}\n`,
    kind: 'entries',
  },
  {
    name: 'ASCII at the long-line limit',
    line: 'a'.repeat(LONG_LINE_BYTES),
    row: `7,100,${Q}${'a'.repeat(LONG_LINE_BYTES)}${Q},\n`,
    kind: 'entries',
  },
  {
    name: 'long by its UTF-8 bytes, not its length',
    line: 'é'.repeat(LONG_LINE_BYTES / 2 + 1),
    row: `7,100,${Q}${'é'.repeat(LONG_LINE_BYTES / 2 + 1)}${Q},\n`,
    kind: 'entries_long',
  },
];

function text(batch: DayBatch, kind: 'entries' | 'entries_long'): string {
  return Buffer.concat(batch.buffers(kind)).toString('utf8');
}

describe('DayBatch', () => {
  for (const c of CASES) {
    it(`encodes ${c.name}`, () => {
      const batch = new DayBatch(100n);
      batch.add(7, 100n, c.line, c.metadata);
      batch.seal();
      assert.equal(text(batch, c.kind), c.row);
      assert.equal(text(batch, c.kind === 'entries' ? 'entries_long' : 'entries'), '');
    });
  }

  it('keeps every row in order across buffer growth, seals and merges', () => {
    const batch = new DayBatch(1000n);
    const want: string[] = [];
    // Rows of mixed widths well past the first 16 KiB buffer, sealed twice.
    for (let i = 0; i < 3000; i++) {
      const line = `${i} ${'ü😀x'.repeat(i % 17)}`;
      batch.add(i % 5, BigInt(1000 - i), line, undefined);
      want.push(`${i % 5},${1000 - i},${Q}${line}${Q},\n`);
      if (i === 1500) batch.seal();
    }
    batch.seal();
    batch.seal();
    const other = new DayBatch(5000n);
    other.add(1, 5000n, 'merged', undefined);
    other.seal();
    batch.merge(other);
    want.push(`1,5000,${Q}merged${Q},\n`);
    assert.equal(batch.buffers('entries').length, 3);
    assert.equal(text(batch, 'entries'), want.join(''));
    assert.equal(batch.minTs, 1000n - 2999n);
    assert.equal(batch.maxTs, 5000n);
  });

  it('seals a big push into buffers of about SEAL_UNITS each, in order', () => {
    const batch = new DayBatch(0n);
    const line = 'x'.repeat(1000);
    const long = 'y'.repeat(LONG_LINE_BYTES + 1);
    const rows = Math.ceil((2.5 * SEAL_UNITS) / line.length);
    for (let i = 0; i < rows; i++) {
      batch.add(1, BigInt(i), line, undefined);
      if (i % 100 === 0) batch.add(2, BigInt(i), long, undefined);
    }
    batch.seal();
    for (const kind of ['entries', 'entries_long'] as const) {
      const sizes = batch.buffers(kind).map((b) => b.length);
      assert.ok(sizes.length >= 2, `${kind}: ${sizes}`);
      const row = kind === 'entries' ? line.length + 20 : long.length + 20;
      for (const size of sizes) assert.ok(size < SEAL_UNITS + row, `${kind}: ${sizes}`);
    }
    const text = Buffer.concat(batch.buffers('entries')).toString();
    assert.equal(text.split('\n').length - 1, rows);
    assert.ok(text.startsWith(`1,0,${Q}x`) && text.endsWith(`1,${rows - 1},${Q}${line}${Q},\n`));
  });
});
