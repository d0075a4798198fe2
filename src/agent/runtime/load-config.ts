import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../common/config-error.js';
import type { ArgumentSchema, ComponentDefinition } from '../component.js';
import { AlloySyntaxError, parseAlloy, type Block, type Body, type Pos } from '../syntax/index.js';
import { decodeBody } from './decode.js';
import { EvalError } from './eval-error.js';
import { buildGraph } from './graph.js';
import { standardLibrary } from './stdlib.js';

/** A parsed and checked Alloy config file. */
export interface AlloyConfig {
  file: string;
  source: string;
  body: Body;
}

/**
 * A ConfigError printed as Alloy prints diagnostics, `file:line:col: message`,
 * one line per problem.
 */
export class AlloyConfigError extends ConfigError {
  constructor(
    file: string,
    readonly problems: { pos: Pos; message: string }[],
    fix?: string,
  ) {
    const first = problems[0]!;
    super(file, first.pos.line, undefined, first.message, fix);
    this.column = first.pos.col;
    const lines = problems.map((p) => `${file}:${p.pos.line}:${p.pos.col}: ${p.message}`);
    this.message = lines.join('\n') + (fix ? `\n  fix: ${fix}` : '');
    this.name = 'AlloyConfigError';
  }

  readonly column: number;
}

/** The top-level blocks that configure the agent itself. */
export const CONFIG_BLOCK_SCHEMAS: Record<string, ArgumentSchema> = {
  logging: {
    attributes: {
      level: { type: 'string', default: 'info' },
      format: { type: 'string', default: 'logfmt' },
      write_to: { type: 'list', default: [] },
    },
    blocks: {},
  },
  livedebugging: { attributes: { enabled: { type: 'bool', default: false } }, blocks: {} },
};

/** Parses `source` and checks every block against its schema, without building anything. */
export function checkAlloyConfig(
  file: string,
  source: string,
  registry: ReadonlyMap<string, ComponentDefinition>,
): AlloyConfig {
  let body: Body;
  try {
    body = parseAlloy(file, source);
  } catch (err) {
    if (!(err instanceof AlloySyntaxError)) throw err;
    const hash = err.diagnostics.some((d) => d.message.includes('U+0023'));
    throw new AlloyConfigError(
      file,
      err.diagnostics,
      hash ? 'write comments as // or /* */; Alloy is not YAML or HCL' : undefined,
    );
  }
  try {
    const globals = new Set(Object.keys(standardLibrary()));
    const nodes = buildGraph(body, registry, globals);
    for (const stmt of body) {
      const schema = stmt.type === 'block' ? CONFIG_BLOCK_SCHEMAS[stmt.name] : undefined;
      if (stmt.type === 'block' && schema) {
        decodeBody(stmt.body, schema, stmt.pos);
        checkLoggingLevel(stmt);
      }
    }
    for (const node of nodes)
      decodeBody(node.block.body, node.definition.arguments, node.block.pos);
  } catch (err) {
    if (!(err instanceof EvalError)) throw err;
    throw toConfigError(file, err, registry);
  }
  return { file, source, body };
}

export async function loadAlloyConfig(
  file: string,
  registry: ReadonlyMap<string, ComponentDefinition>,
): Promise<AlloyConfig> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, undefined, undefined, (err as Error).message);
  }
  return checkAlloyConfig(file, source, registry);
}

/** Alloy accepts these `logging { level }` values only. */
function checkLoggingLevel(block: Block): void {
  if (block.name !== 'logging') return;
  for (const a of block.body) {
    if (a.type !== 'attribute' || a.name !== 'level' || a.value.type !== 'literal') continue;
    if (!['debug', 'info', 'warn', 'error'].includes(String(a.value.value))) {
      throw new EvalError(
        a.value.pos,
        `unrecognized log level "${String(a.value.value)}", must be one of debug, info, warn, error`,
      );
    }
  }
}

/** An EvalError as a ConfigError, with advice for the usual mistakes. */
export function toConfigError(
  file: string,
  err: EvalError,
  registry: ReadonlyMap<string, ComponentDefinition>,
): AlloyConfigError {
  let fix: string | undefined;
  if (/^unrecognized block name "[^"]+"$/.test(err.message)) {
    fix = `components obs provides: ${[...registry.keys()].sort().join(', ')}; top-level blocks: logging, livedebugging`;
  } else if (err.message.includes('does not exist or is out of scope')) {
    fix =
      'reference a component declared in this file by its name and label, e.g. loki.write.default.receiver';
  }
  return new AlloyConfigError(file, [{ pos: err.pos, message: err.message }], fix);
}
