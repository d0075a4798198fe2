import type { LabelMatcher } from '../../common/labels.js';
import { parseMatchers } from '../logql/index.js';
import type { QueryApiContext, RouteHandler } from './index.js';
import { parseBounds } from './params.js';

/** `/labels`, `/label/:name/values` and `/series`. */
export function registerLabelRoutes(
  route: (path: string, h: RouteHandler) => void,
  ctx: QueryApiContext,
): void {
  // Loki 3.0's /labels ignores `query`; /label/<name>/values applies it.
  route('/loki/api/v1/labels', async (p) => {
    const { startNs, endNs } = parseBounds(p, ctx.now());
    return { status: 'success', data: await ctx.reader.labelNames(startNs, endNs) };
  });
  route('/loki/api/v1/label/:name/values', async (p, _signal, path) => {
    const { startNs, endNs } = parseBounds(p, ctx.now());
    const name = path['name'] ?? '';
    const query = p.get('query');
    const matchers: LabelMatcher[] = query ? parseMatchers(query) : [];
    return {
      status: 'success',
      data: await ctx.reader.labelValues(name, startNs, endNs, matchers),
    };
  });
  route('/loki/api/v1/series', async (p) => {
    const { startNs, endNs } = parseBounds(p, ctx.now());
    const selectors = [...p.getAll('match[]'), ...p.getAll('match')];
    const seen = new Set<string>();
    const data: Record<string, string>[] = [];
    for (const matchers of selectors.length > 0 ? selectors.map(parseMatchers) : [[]]) {
      for (const labels of await ctx.reader.series(matchers, startNs, endNs)) {
        const key = JSON.stringify(labels);
        if (seen.has(key)) continue;
        seen.add(key);
        data.push(labels);
      }
    }
    return { status: 'success', data };
  });
}
