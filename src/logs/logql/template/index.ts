import { executeTemplate, TemplateExecError } from './exec.js';
import { TEMPLATE_FUNCTION_NAMES, templateFunctions, type EntryContext } from './functions.js';
import { parseTemplate, TemplateError } from './parse.js';

export { TemplateError, TemplateExecError };

/** A compiled Go text/template with Loki's functions, run once per entry. */
export interface CompiledTemplate {
  render(labels: Record<string, string>, line: string, timestampNs: bigint): string;
}

/** Throws TemplateError with Go's message when the template does not parse. */
export function compileTemplate(name: string, src: string): CompiledTemplate {
  const nodes = parseTemplate(name, src, TEMPLATE_FUNCTION_NAMES);
  const ctx: EntryContext = { line: '', timestampNs: 0n };
  const funcs = templateFunctions(ctx);
  return {
    render(labels, line, timestampNs) {
      ctx.line = line;
      ctx.timestampNs = timestampNs;
      return executeTemplate(name, src, nodes, labels, funcs);
    },
  };
}
