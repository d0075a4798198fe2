import type { LabelFormatItem } from '../ast.js';
import { LogqlParseError } from '../errors.js';
import { compileTemplate, TemplateError, type CompiledTemplate } from '../template/index.js';
import type { Stage } from './stage.js';

const TEMPLATE_ERROR = 'TemplateFormatErr';

/** `| line_format "{{...}}"`: the template's output replaces the line. */
export function lineFormatStage(template: string): Stage {
  let tmpl: CompiledTemplate;
  try {
    tmpl = compileTemplate('line', template);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw new LogqlParseError(
      `stage '| line_format ${JSON.stringify(template)}' : invalid line template: ${err.message}`,
    );
  }
  return {
    process(ts, line, lbs) {
      try {
        return tmpl.render(lbs.map(), line, ts);
      } catch (err) {
        lbs.setErr(TEMPLATE_ERROR, (err as Error).message);
        return line;
      }
    },
  };
}

/** `| label_format a=b, c="{{...}}"`: renames and templated labels, in order. */
export function labelFormatStage(items: LabelFormatItem[]): Stage {
  const seen = new Set<string>();
  type Item = { name: string; source: string } | { name: string; tmpl: CompiledTemplate };
  const compiled = items.map((it): Item => {
    if (seen.has(it.name)) {
      const text = items
        .map((i) => `${i.name}=${i.source ?? JSON.stringify(i.template)}`)
        .join(',');
      throw new LogqlParseError(
        `stage '| label_format ${text}' : multiple label name '${it.name}' not allowed in a single format operation`,
      );
    }
    seen.add(it.name);
    if (it.template === undefined) return { name: it.name, source: it.source! };
    try {
      return { name: it.name, tmpl: compileTemplate('label', it.template) };
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      throw new LogqlParseError(`invalid label template: ${err.message}`);
    }
  });
  return {
    process(ts, line, lbs) {
      // Templates see the labels as they were when the first template ran.
      let data: Record<string, string> | undefined;
      for (const c of compiled) {
        if ('source' in c) {
          const v = lbs.get(c.source);
          if (v !== undefined) {
            lbs.set(c.name, v);
            if (c.source !== c.name) lbs.del(c.source);
          }
          continue;
        }
        data ??= lbs.map();
        try {
          lbs.set(c.name, c.tmpl.render(data, line, ts));
        } catch (err) {
          lbs.setErr(TEMPLATE_ERROR, (err as Error).message);
        }
      }
      return line;
    },
  };
}
