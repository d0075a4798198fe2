import { LineCounter, parseDocument, type Node } from 'yaml';

/**
 * The line of the node at `path` in a YAML text, so that errors found after
 * schema validation (duplicate jobs, bad relabel regexes) still point at it.
 */
export function lineOfPath(text: string, path: (string | number)[]): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
    if (node && typeof node === 'object' && node.range) {
      return lineCounter.linePos(node.range[0]).line;
    }
  }
  return undefined;
}
