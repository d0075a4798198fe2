import { compileGoTemplate } from './go-template.js';
import { perEntry, type Stage } from './stage.js';

/**
 * `stage.template { source = "level", template = "{{ ToUpper .Value }}" }`:
 * renders the template over the extracted values, `.Value` (the current
 * value of `source`) and `.Entry` (the line), into `extracted[source]`.
 */
export function templateStage(args: { source: string; template: string }): Stage {
  const tpl = compileGoTemplate(args.template);
  return perEntry((e) => {
    const data = { ...e.extracted, Value: e.extracted[args.source], Entry: e.line };
    e.extracted[args.source] = tpl(data);
    return true;
  });
}
