import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { family, single, type MetricFamily } from '../../exposition.js';
import { parseExposition, type ParsedFamily } from '../../exposition-parse.js';
import type { NodeCollector } from '../collector.js';

/**
 * textfile.go: every `*.prom` file in --collector.textfile.directory, merged;
 * a file that does not parse or carries timestamps is skipped whole and sets
 * node_textfile_scrape_error, and node_textfile_mtime_seconds lists the rest.
 */
export const textfileCollector: NodeCollector = {
  name: 'textfile',
  async update(c) {
    const dir = c.textfileDirectory;
    let errored = false;
    let names: string[] = [];
    if (dir !== '') {
      try {
        names = (await readdir(dir)).filter((n) => n.endsWith('.prom')).sort();
      } catch {
        errored = true;
      }
    }
    const parsed: ParsedFamily[] = [];
    const filesOf = new Map<string, string[]>();
    const mtime = family(
      'node_textfile_mtime_seconds',
      'Unixtime mtime of textfiles successfully read.',
      'gauge',
    );
    for (const name of names) {
      const path = join(dir, name);
      try {
        const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
        const families = parseExposition(text);
        if (families.some((f) => f.samples.some((s) => s.timestampMs !== undefined))) {
          throw new Error(`textfile "${path}" contains unsupported client-side timestamps`);
        }
        for (const f of families) {
          filesOf.set(f.name, [...(filesOf.get(f.name) ?? []), path]);
          parsed.push(f);
        }
        mtime.add(Math.floor(st.mtimeMs / 1000), { file: path });
      } catch {
        errored = true;
      }
    }
    const out: MetricFamily[] = parsed.map((f) => ({
      name: f.name,
      type: f.type,
      help: f.hasHelp ? f.help : `Metric read from ${filesOf.get(f.name)!.join(', ')}`,
      samples: f.samples.map((s) => (s.name === f.name ? { labels: s.labels, value: s.value } : s)),
    }));
    out.push(
      mtime,
      single(
        'node_textfile_scrape_error',
        '1 if there was an error opening or reading a file, 0 otherwise',
        'gauge',
        errored ? 1 : 0,
      ),
    );
    return out;
  },
};
