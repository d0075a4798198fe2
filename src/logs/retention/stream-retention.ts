import type { Labels } from '../../common/labels.js';
import type { RetentionStreamRule } from '../config/index.js';
import { parseMatchers } from '../logql/index.js';
import { matcherTest } from '../tail/index.js';

export interface CompiledRetentionRule {
  priority: number;
  periodMs: number;
  matches(labels: Labels): boolean;
}

export function compileRetentionRules(rules: RetentionStreamRule[]): CompiledRetentionRule[] {
  return rules.map((r) => {
    const tests = parseMatchers(r.selector).map(matcherTest);
    return {
      priority: r.priority,
      periodMs: r.periodMs,
      matches: (labels) => tests.every((t) => t(labels)),
    };
  });
}

/**
 * Loki's TenantsRetention.RetentionPeriodFor: of the matching
 * `retention_stream` rules the highest priority wins, and among equal
 * priorities the shortest period; without a match, `retention_period`.
 * 0 means keep forever.
 */
export function retentionPeriodFor(
  labels: Labels,
  rules: CompiledRetentionRule[],
  globalMs: number,
): number {
  let best: CompiledRetentionRule | undefined;
  for (const rule of rules) {
    if (!rule.matches(labels)) continue;
    if (best) {
      if (best.priority > rule.priority) continue;
      if (best.priority === rule.priority && best.periodMs <= rule.periodMs) continue;
    }
    best = rule;
  }
  return best ? best.periodMs : globalMs;
}
