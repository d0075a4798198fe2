/**
 * Command-line flags in the styles of the real binaries, so `obs run ROLE`
 * takes each one's own flags: Go's `flag` package (Loki, cAdvisor: `-name`,
 * `--name`, `-name=value`, `-name value`) and kingpin (Prometheus,
 * node_exporter: `--name=value`, `--name value`, `--no-name` for booleans).
 */
export interface FlagSpec {
  type: 'string' | 'bool' | 'list';
  default?: string | boolean;
  help: string;
}

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export function parseFlags(
  argv: string[],
  specs: Record<string, FlagSpec>,
  style: 'go' | 'kingpin',
): { values: FlagValues; positional: string[] } {
  const values: FlagValues = {};
  for (const [name, spec] of Object.entries(specs)) {
    values[name] = spec.type === 'list' ? [] : spec.default;
  }
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const dashes = arg.startsWith('--') ? 2 : arg.startsWith('-') && arg.length > 1 ? 1 : 0;
    if (dashes === 0 || (style === 'kingpin' && dashes === 1)) {
      if (dashes === 1) throw new FlagError(`unknown short flag '${arg}'`);
      positional.push(arg);
      continue;
    }
    const body = arg.slice(dashes);
    const eq = body.indexOf('=');
    let name = eq >= 0 ? body.slice(0, eq) : body;
    let inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    let spec = specs[name];
    if (
      !spec &&
      style === 'kingpin' &&
      name.startsWith('no-') &&
      specs[name.slice(3)]?.type === 'bool'
    ) {
      name = name.slice(3);
      spec = specs[name];
      inline = 'false';
    }
    if (!spec) {
      throw new FlagError(
        style === 'go'
          ? `flag provided but not defined: -${name}`
          : `unknown long flag '--${name}'`,
      );
    }
    if (spec.type === 'bool') {
      if (inline !== undefined && !['true', 'false', '1', '0'].includes(inline)) {
        throw new FlagError(`invalid boolean value ${JSON.stringify(inline)} for -${name}`);
      }
      values[name] = inline === undefined ? true : inline === 'true' || inline === '1';
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) {
        throw new FlagError(
          style === 'go'
            ? `flag needs an argument: -${name}`
            : `expected argument for flag '--${name}'`,
        );
      }
      value = argv[++i]!;
    }
    if (spec.type === 'list') (values[name] as string[]).push(value);
    else values[name] = value;
  }
  return { values, positional };
}

/** Usage text: one line per flag, as `obs run ROLE --help` prints it. */
export function formatFlagHelp(specs: Record<string, FlagSpec>, style: 'go' | 'kingpin'): string {
  const dash = style === 'go' ? '-' : '--';
  return Object.entries(specs)
    .map(([name, spec]) => {
      const def = spec.default === undefined ? '' : ` (default ${JSON.stringify(spec.default)})`;
      return `  ${dash}${name}${spec.type === 'bool' ? '' : '=VALUE'}\n      ${spec.help}${def}`;
    })
    .join('\n');
}
