/**
 * Prometheus text exposition format 0.0.4, written the way Go's
 * client_golang writes it (expfmt): families sorted by name, samples sorted
 * by their label values in label-name order, floats in Go's shortest `%g`
 * form, so obs's output diffs cleanly against node_exporter's and cAdvisor's.
 */
import { formatGoFloat as goFormatFloat } from '../common/go-fmt.js';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'untyped' | 'summary' | 'histogram';

export interface Sample {
  labels: Record<string, string>;
  value: number;
  /** Sample name when it differs from the family's (`_sum`, `_count`, `_bucket`). */
  name?: string;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

/** A family under construction; `add` appends one sample. */
export class FamilyBuilder implements MetricFamily {
  readonly samples: Sample[] = [];
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
  ) {}

  add(value: number, labels: Record<string, string> = {}): this {
    this.samples.push({ labels, value });
    return this;
  }
}

export function family(name: string, help: string, type: MetricType): FamilyBuilder {
  return new FamilyBuilder(name, help, type);
}

/** A single-sample family without labels. */
export function single(name: string, help: string, type: MetricType, value: number): MetricFamily {
  return { name, help, type, samples: [{ labels: {}, value }] };
}

/**
 * A sample value as expfmt writes it: strconv.FormatFloat(v, 'g', -1, 64),
 * except that its writeFloat prints every zero, -0 too, as `0`.
 */
export function formatGoFloat(v: number): string {
  return v === 0 ? '0' : goFormatFloat(v);
}

function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** A sample prepared once for sorting and printing: label names in order, their values, the line. */
interface Prepared {
  names: string[];
  values: string[];
  line: string;
}

function prepare(name: string, s: Sample): Prepared {
  const names = Object.keys(s.labels).sort();
  const values = names.map((n) => s.labels[n]!);
  const labels = names.length
    ? `{${names.map((n, i) => `${n}="${escapeLabelValue(values[i]!)}"`).join(',')}}`
    : '';
  return { names, values, line: `${s.name ?? name}${labels} ${formatGoFloat(s.value)}` };
}

function comparePrepared(a: Prepared, b: Prepared): number {
  const n = Math.min(a.names.length, b.names.length);
  for (let i = 0; i < n; i++) {
    const ka = a.names[i]!;
    const kb = b.names[i]!;
    if (ka !== kb) return ka < kb ? -1 : 1;
    const va = a.values[i]!;
    const vb = b.values[i]!;
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return a.names.length - b.names.length;
}

/**
 * Writes families sorted by name; families with the same name are merged
 * (the first HELP and TYPE win) and empty families are left out, as expfmt
 * does after client_golang's gathering.
 */
export function writeExposition(families: Iterable<MetricFamily>): string {
  const byName = new Map<string, MetricFamily>();
  for (const f of families) {
    const seen = byName.get(f.name);
    if (seen) seen.samples.push(...f.samples);
    else byName.set(f.name, { ...f, samples: [...f.samples] });
  }
  const out: string[] = [];
  for (const name of [...byName.keys()].sort()) {
    const f = byName.get(name)!;
    if (f.samples.length === 0) continue;
    out.push(`# HELP ${name} ${escapeHelp(f.help)}`, `# TYPE ${name} ${f.type}`);
    const prepared = f.samples.map((s) => prepare(name, s));
    // Summaries and histograms keep their order: a sample's suffix matters there, not its labels.
    if (f.type !== 'summary' && f.type !== 'histogram') prepared.sort(comparePrepared);
    for (const p of prepared) out.push(p.line);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
