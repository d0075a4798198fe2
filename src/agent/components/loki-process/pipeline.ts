import type { EnumBlock } from '../../component.js';
import { dropStage, type DropArgs } from './drop-stage.js';
import {
  criStage,
  decolorizeStage,
  dockerStage,
  packStage,
  replaceStage,
  samplingStage,
} from './format-stages.js';
import {
  labelDropStage,
  labelKeepStage,
  labelsStage,
  staticLabelsStage,
  structuredMetadataStage,
} from './labels-stages.js';
import { multilineStage } from './multiline-stage.js';
import { jsonStage, logfmtStage, outputStage, regexStage } from './parse-stages.js';
import { parseSelector } from './selector.js';
import type { DropFn, ProcessEntry, Stage } from './stage.js';
import { templateStage } from './template-stage.js';
import { timestampStage } from './timestamp-stage.js';

/** A list of stages run in order; itself a stage, so `stage.match` can nest one. */
export class Pipeline implements Stage {
  private readonly stages: Stage[];

  constructor(blocks: EnumBlock[]) {
    this.stages = blocks.map((b) => {
      try {
        return buildStage(b);
      } catch (err) {
        throw new Error(`invalid stage.${b.kind} block: ${(err as Error).message}`);
      }
    });
  }

  process(entries: ProcessEntry[], drop: DropFn): ProcessEntry[] {
    return this.runFrom(0, entries, drop);
  }

  flush(now: number, drop: DropFn): ProcessEntry[] {
    const out: ProcessEntry[] = [];
    this.stages.forEach((s, i) => {
      const released = s.flush?.(now, drop) ?? [];
      if (released.length > 0) out.push(...this.runFrom(i + 1, released, drop));
    });
    return out;
  }

  private runFrom(start: number, entries: ProcessEntry[], drop: DropFn): ProcessEntry[] {
    let batch = entries;
    for (let i = start; i < this.stages.length && batch.length > 0; i++) {
      batch = this.stages[i]!.process(batch, drop);
    }
    return batch;
  }
}

function buildStage(b: EnumBlock): Stage {
  // The runtime checked the args against STAGE_SCHEMAS, so they have the shapes the stages take.
  const a = b.args as never;
  switch (b.kind) {
    case 'static_labels':
      return staticLabelsStage(a);
    case 'labels':
      return labelsStage(a);
    case 'structured_metadata':
      return structuredMetadataStage(a);
    case 'label_drop':
      return labelDropStage(a);
    case 'label_keep':
      return labelKeepStage(a);
    case 'json':
      return jsonStage(a);
    case 'logfmt':
      return logfmtStage(a);
    case 'regex':
      return regexStage(a);
    case 'output':
      return outputStage(a);
    case 'timestamp':
      return timestampStage(a);
    case 'drop':
      return dropStage(a as DropArgs);
    case 'multiline':
      return multilineStage(a);
    case 'template':
      return templateStage(a);
    case 'docker':
      return dockerStage();
    case 'cri':
      return criStage(a);
    case 'replace':
      return replaceStage(a);
    case 'decolorize':
      return decolorizeStage();
    case 'pack':
      return packStage(a);
    case 'sampling':
      return samplingStage(a);
    case 'match':
      return matchStage(b.args as unknown as MatchArgs);
    default:
      throw new Error(`unsupported stage ${b.kind}`);
  }
}

interface MatchArgs {
  selector: string;
  pipeline_name?: string;
  action: string;
  drop_counter_reason: string;
  stage: EnumBlock[];
}

/**
 * `stage.match`: entries the selector matches run through the nested
 * stages (action "keep") or are dropped (action "drop"); others pass as
 * they are.
 */
function matchStage(args: MatchArgs): Stage {
  if (args.action !== 'keep' && args.action !== 'drop') {
    throw new Error(`invalid action "${args.action}": must be keep or drop`);
  }
  if (args.action === 'drop' && args.stage.length > 0) {
    throw new Error('match stage configured with drop action should not contain nested stages');
  }
  const selector = parseSelector(args.selector);
  const nested = new Pipeline(args.stage);
  return {
    process(entries, drop) {
      const out: ProcessEntry[] = [];
      const matched: ProcessEntry[] = [];
      for (const e of entries) {
        if (!selector.matches(e.labels, e.line)) out.push(e);
        else if (args.action === 'drop') drop(e, args.drop_counter_reason);
        else matched.push(e);
      }
      if (matched.length > 0) out.push(...nested.process(matched, drop));
      return out;
    },
    flush: (now, drop) => nested.flush(now, drop),
  };
}
