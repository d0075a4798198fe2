import { JsonScanError, scanJsonObject, unescapeJson } from '../json-scan.js';
import { JSON_ERROR } from './json.js';
import { DUPLICATE_SUFFIX, type Stage } from './stage.js';

const PACKED_ENTRY_KEY = '_entry';

/**
 * `| unpack`: reverses Promtail's `pack` stage. The string fields become
 * labels and `_entry` becomes the line, but only when the line was packed.
 */
export function unpackStage(): Stage {
  return {
    process(_ts, line, lbs) {
      if (line.length === 0) return line;
      if (line[0] !== '{') {
        lbs.setErr(JSON_ERROR, 'expecting json object(6), but it is not');
        return line;
      }
      let root;
      try {
        root = scanJsonObject(line);
      } catch (err) {
        if (!(err instanceof JsonScanError)) throw err;
        lbs.setErr(JSON_ERROR, err.message);
        return line;
      }
      let entry: string | undefined;
      const found: [string, string][] = [];
      for (const [key, value] of root.entries) {
        if (value.type !== 'string') continue;
        if (key === PACKED_ENTRY_KEY) {
          entry = unescapeJson(value.raw);
          continue;
        }
        found.push([lbs.baseHas(key) ? key + DUPLICATE_SUFFIX : key, unescapeJson(value.raw)]);
      }
      if (entry === undefined) return line;
      for (const [k, v] of found) lbs.set(k, v);
      return entry;
    },
  };
}
