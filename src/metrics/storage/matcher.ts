import type { LabelMatcher } from '../../common/labels.js';

/** A predicate for one matcher; regexes are fully anchored, as in Prometheus. */
export function compileMatcher(m: LabelMatcher): (value: string) => boolean {
  switch (m.type) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~': {
      const re = anchoredRegex(m.value);
      return (v) => re.test(v);
    }
    case '!~': {
      const re = anchoredRegex(m.value);
      return (v) => !re.test(v);
    }
  }
}

const cache = new Map<string, RegExp>();

export function anchoredRegex(source: string): RegExp {
  let re = cache.get(source);
  if (!re) {
    // Prometheus anchors as `^(?s:re)$`, so `.` also matches a newline.
    re = new RegExp(`^(?:${source})$`, 's');
    if (cache.size > 1000) cache.clear();
    cache.set(source, re);
  }
  return re;
}
