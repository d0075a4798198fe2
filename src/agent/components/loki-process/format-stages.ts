import { compileGoRegexp } from '../../../common/go-regexp.js';
import { compileGoTemplate } from './go-template.js';
import { formatLabels } from '../../../common/labels.js';
import { GO_LAYOUTS, parseGoTime } from '../../../common/go-time.js';
import { extractedString, ownLabels, perEntry, type ProcessEntry, type Stage } from './stage.js';

/**
 * `stage.docker {}`: a line in Docker's json-file format
 * (`{"log":"...","stream":"stdout","time":"..."}`) becomes its `log`, with
 * the `stream` label and the entry time from `time`.
 */
export function dockerStage(): Stage {
  return perEntry((e) => {
    let doc: { log?: unknown; stream?: unknown; time?: unknown };
    try {
      doc = JSON.parse(e.line) as typeof doc;
    } catch {
      return true;
    }
    if (typeof doc !== 'object' || doc === null || typeof doc.log !== 'string') return true;
    if (typeof doc.stream === 'string') {
      e.extracted.stream = doc.stream;
      ownLabels(e).stream = doc.stream;
    }
    if (typeof doc.time === 'string') {
      e.extracted.timestamp = doc.time;
      try {
        e.timestamp = parseGoTime(GO_LAYOUTS.RFC3339Nano, doc.time);
      } catch {
        // Keep the read time, as Promtail's fudge does for the first line of a stream.
      }
    }
    e.extracted.output = doc.log;
    e.line = doc.log;
    return true;
  });
}

const CRI_LINE = /^(\S+?) (stdout|stderr) (\S+?) ([\s\S]*)$/;

/**
 * `stage.cri {}`: a line in the CRI log format (`<time> <stream> <P|F>
 * <content>`) becomes its content, with the `stream` label and the time;
 * partial (`P`) lines of a stream are joined with the final (`F`) one.
 */
export function criStage(args: {
  max_partial_lines: number;
  max_partial_line_size: number;
  max_partial_line_size_truncate: boolean;
}): Stage {
  const partial = new Map<string, ProcessEntry>();
  return {
    process(entries) {
      const out: ProcessEntry[] = [];
      for (const e of entries) {
        const m = CRI_LINE.exec(e.line);
        if (!m) {
          out.push(e);
          continue;
        }
        const [, time, stream, flags, content] = m;
        ownLabels(e).stream = stream!;
        e.extracted.stream = stream;
        e.extracted.flags = flags;
        e.extracted.timestamp = time;
        try {
          e.timestamp = parseGoTime(GO_LAYOUTS.RFC3339Nano, time!);
        } catch {
          // A malformed time keeps the read time.
        }
        let text = content!;
        if (args.max_partial_line_size_truncate && args.max_partial_line_size > 0) {
          text = text.slice(0, args.max_partial_line_size);
        }
        const key = formatLabels(e.labels);
        const held = partial.get(key);
        if (held) {
          held.line += text;
          held.extracted.content = held.line;
          if (flags === 'P') continue;
          partial.delete(key);
          out.push(held);
          continue;
        }
        e.line = text;
        e.extracted.content = text;
        if (flags === 'P') {
          if (partial.size >= args.max_partial_lines) {
            out.push(...partial.values());
            partial.clear();
          }
          partial.set(key, e);
          continue;
        }
        out.push(e);
      }
      return out;
    },
    flush(now) {
      if (now !== Number.POSITIVE_INFINITY) return [];
      const held = [...partial.values()];
      partial.clear();
      return held;
    },
  };
}

/**
 * `stage.replace { expression = "password=(\\S+)", replace = "****" }`:
 * each captured group's text (in the line, or in `source`) is replaced by
 * the `replace` template, where `.Value` is the captured text. Named
 * groups are also extracted.
 */
export function replaceStage(args: { expression: string; source: string; replace: string }): Stage {
  const re = compileGoRegexp(args.expression);
  const global = new RegExp(re.regex.source, re.regex.flags + 'gd');
  const tpl = compileGoTemplate(args.replace);
  return perEntry((e) => {
    const input = args.source ? extractedString(e.extracted[args.source]) : e.line;
    if (input === undefined) return true;
    let out = '';
    let last = 0;
    global.lastIndex = 0;
    for (let m = global.exec(input); m; m = global.exec(input)) {
      const spans = (m.indices ?? []).slice(1);
      spans.forEach((span, g) => {
        if (!span) return;
        const name = re.groupNames[g + 1];
        const value = input.slice(span[0], span[1]);
        if (name) e.extracted[name] = value;
        out += input.slice(last, span[0]) + tpl({ ...e.extracted, Value: value });
        last = span[1];
      });
      if (m[0].length === 0) global.lastIndex++;
    }
    const result = out + input.slice(last);
    if (args.source) e.extracted[args.source] = result;
    else e.line = result;
    return true;
  });
}

// ANSI SGR and other CSI escape sequences, as terminals and colouring loggers emit them.
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/** `stage.decolorize {}`: strips ANSI colour codes from the line. */
export function decolorizeStage(): Stage {
  return perEntry((e) => {
    if (e.line.includes('\x1b')) e.line = e.line.replace(ANSI, '');
    return true;
  });
}

/**
 * `stage.pack { labels = ["pod"] }`: folds the named labels (or extracted
 * values) and the line into a JSON object `{"pod": "...", "_entry": line}`,
 * removing those labels; with ingest_timestamp the entry gets the current
 * time, as the line no longer carries it apart.
 */
export function packStage(args: { labels: string[]; ingest_timestamp: boolean }): Stage {
  return perEntry((e) => {
    const obj: Record<string, string> = {};
    for (const name of args.labels) {
      const v = e.labels[name] ?? extractedString(e.extracted[name]);
      if (v === undefined) continue;
      obj[name] = v;
      if (e.labels[name] !== undefined) delete ownLabels(e)[name];
    }
    obj._entry = e.line;
    e.line = JSON.stringify(obj);
    if (args.ingest_timestamp) e.timestamp = BigInt(Date.now()) * 1_000_000n;
    return true;
  });
}

/** `stage.sampling { rate = 0.1 }`: keeps that fraction of entries at random. */
export function samplingStage(args: { rate: number; drop_counter_reason: string }): Stage {
  if (args.rate < 0 || args.rate > 1) throw new Error('sampling rate must be between 0 and 1');
  return perEntry((_e) => (Math.random() < args.rate ? true : args.drop_counter_reason));
}
