/**
 * Go's fmt.Sprintf for the verbs configs use in Alloy's `format`:
 * %s %q %v %d %f %e %g %x %X %o %b %t %%, with flags (-, +, 0, space),
 * width and precision.
 */
export function goSprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  const re = /%([-+ 0#]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', width, precText, verb] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argi++];
    const prec = precText === undefined ? undefined : Number(precText || '0');
    let s = formatVerb(verb!, arg, flags, prec);
    if (width !== undefined && s.length < Number(width)) {
      const pad = Number(width) - s.length;
      if (flags.includes('-')) s += ' '.repeat(pad);
      else if (flags.includes('0') && /[dfeEgGxXob]/.test(verb!) && /^[-+]/.test(s)) {
        s = s[0] + '0'.repeat(pad) + s.slice(1);
      } else if (flags.includes('0') && /[dfeEgGxXob]/.test(verb!)) s = '0'.repeat(pad) + s;
      else s = ' '.repeat(pad) + s;
    }
    out += s;
  }
  out += format.slice(last);
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => `${goTypeName(a)}=${formatValue(a)}`)
      .join(', ')})`;
  }
  return out;
}

function formatVerb(verb: string, arg: unknown, flags: string, prec: number | undefined): string {
  const sign = (n: number, s: string) =>
    n >= 0 && flags.includes('+') ? '+' + s : n >= 0 && flags.includes(' ') ? ' ' + s : s;
  switch (verb) {
    case 's':
    case 'v': {
      const s = formatValue(arg);
      return prec !== undefined && typeof arg === 'string' ? s.slice(0, prec) : s;
    }
    case 'q':
      return typeof arg === 'string' ? JSON.stringify(arg) : bad(verb, arg);
    case 't':
      return typeof arg === 'boolean' ? String(arg) : bad(verb, arg);
    case 'd':
      return typeof arg === 'number' && Number.isInteger(arg)
        ? sign(arg, String(arg))
        : bad(verb, arg);
    case 'f':
    case 'F':
      return typeof arg === 'number' ? sign(arg, arg.toFixed(prec ?? 6)) : bad(verb, arg);
    case 'e':
    case 'E': {
      if (typeof arg !== 'number') return bad(verb, arg);
      const s = arg.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      return sign(arg, verb === 'E' ? s.toUpperCase() : s);
    }
    case 'g':
      return typeof arg === 'number' ? sign(arg, String(arg)) : bad(verb, arg);
    case 'x':
    case 'X': {
      let s: string;
      if (typeof arg === 'number' && Number.isInteger(arg)) s = arg.toString(16);
      else if (typeof arg === 'string') s = Buffer.from(arg).toString('hex');
      else return bad(verb, arg);
      return verb === 'X' ? s.toUpperCase() : s;
    }
    case 'o':
      return typeof arg === 'number' && Number.isInteger(arg) ? arg.toString(8) : bad(verb, arg);
    case 'b':
      return typeof arg === 'number' && Number.isInteger(arg) ? arg.toString(2) : bad(verb, arg);
    default:
      return bad(verb, arg);
  }
}

function bad(verb: string, arg: unknown): string {
  return `%!${verb}(${goTypeName(arg)}=${formatValue(arg)})`;
}

function goTypeName(arg: unknown): string {
  if (typeof arg === 'string') return 'string';
  if (typeof arg === 'boolean') return 'bool';
  if (typeof arg === 'number') return Number.isInteger(arg) ? 'int' : 'float64';
  if (Array.isArray(arg)) return '[]interface {}';
  if (arg === null || arg === undefined) return '<nil>';
  return 'map[string]interface {}';
}

/** Go's %v of a decoded value. */
function formatValue(arg: unknown): string {
  if (arg === null || arg === undefined) return '<nil>';
  if (Array.isArray(arg)) return `[${arg.map(formatValue).join(' ')}]`;
  if (typeof arg === 'object') {
    const entries = Object.keys(arg as object)
      .sort()
      .map((k) => `${k}:${formatValue((arg as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(arg);
}
