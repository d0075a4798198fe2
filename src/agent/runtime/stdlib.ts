import { arch, hostname, platform } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { goSprintf } from './go-format.js';

/** An Alloy function: takes evaluated arguments, throws an Error with Alloy's message. */
export type AlloyFunction = (...args: unknown[]) => unknown;

/**
 * Alloy's standard library as configs use it: the namespaced names of
 * Alloy 1.x (`sys.env`, `string.format`, `encoding.from_json`, ...) and the
 * older top-level names (`env`, `format`, `json_decode`, ...) that many
 * existing configs still carry.
 */
export function standardLibrary(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const sysEnv = fn(1, (name) => env[str(name, 'env')] ?? '');
  const string = {
    format: (...args: unknown[]) => {
      if (args.length < 1) throw new Error('format: expected at least 1 argument, got 0');
      return goSprintf(str(args[0], 'format'), args.slice(1));
    },
    join: fn(2, (list, sep) =>
      arr(list, 'join')
        .map((v) => str(v, 'join'))
        .join(str(sep, 'join')),
    ),
    split: fn(2, (s, sep) => str(s, 'split').split(str(sep, 'split'))),
    replace: fn(3, (s, old, neu) =>
      str(s, 'replace').replaceAll(str(old, 'replace'), str(neu, 'replace')),
    ),
    to_lower: fn(1, (s) => str(s, 'to_lower').toLowerCase()),
    to_upper: fn(1, (s) => str(s, 'to_upper').toUpperCase()),
    trim: fn(2, (s, cut) => trimSet(str(s, 'trim'), str(cut, 'trim'))),
    trim_prefix: fn(2, (s, p) => {
      const v = str(s, 'trim_prefix');
      const pre = str(p, 'trim_prefix');
      return v.startsWith(pre) ? v.slice(pre.length) : v;
    }),
    trim_suffix: fn(2, (s, p) => {
      const v = str(s, 'trim_suffix');
      const suf = str(p, 'trim_suffix');
      return suf !== '' && v.endsWith(suf) ? v.slice(0, -suf.length) : v;
    }),
    trim_space: fn(1, (s) => str(s, 'trim_space').trim()),
  };
  const encoding = {
    from_json: fn(1, (s) => {
      try {
        return JSON.parse(str(s, 'json_decode')) as unknown;
      } catch (err) {
        throw new Error(`json_decode: ${(err as Error).message}`);
      }
    }),
    from_yaml: fn(1, (s) => parseYaml(str(s, 'yaml_decode')) as unknown),
    from_base64: fn(1, (s) => Buffer.from(str(s, 'base64_decode'), 'base64').toString('utf8')),
    to_base64: fn(1, (s) => Buffer.from(str(s, 'to_base64'), 'utf8').toString('base64')),
  };
  const concat = (...lists: unknown[]) => lists.flatMap((l) => arr(l, 'concat'));
  const coalesce = (...values: unknown[]) => {
    for (const v of values) if (!isZero(v)) return v;
    return values.length > 0 ? values[values.length - 1] : null;
  };
  const nonsensitive = fn(1, (s) => s);
  return {
    constants: { hostname: hostname(), os: platform(), arch: goArch(arch()) },
    sys: { env: sysEnv },
    string,
    encoding,
    array: { concat },
    convert: { nonsensitive },
    coalesce,
    env: sysEnv,
    concat,
    format: string.format,
    join: string.join,
    split: string.split,
    replace: string.replace,
    to_lower: string.to_lower,
    to_upper: string.to_upper,
    trim: string.trim,
    trim_prefix: string.trim_prefix,
    trim_suffix: string.trim_suffix,
    trim_space: string.trim_space,
    json_decode: encoding.from_json,
    yaml_decode: encoding.from_yaml,
    base64_decode: encoding.from_base64,
    nonsensitive,
  };
}

function fn(arity: number, body: (...args: unknown[]) => unknown): AlloyFunction {
  return (...args: unknown[]) => {
    if (args.length !== arity) {
      throw new Error(`expected ${arity} argument${arity === 1 ? '' : 's'}, got ${args.length}`);
    }
    return body(...args);
  };
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new Error(`${name}: expected string, got ${typeName(v)}`);
  return v;
}

function arr(v: unknown, name: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${name}: expected array, got ${typeName(v)}`);
  return v;
}

/** Alloy's names for value types, as its errors print them. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'function') return 'function';
  if (Array.isArray(v)) return 'array';
  if (Object.getPrototypeOf(v) === Object.prototype) return 'object';
  return 'capsule';
}

function isZero(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeName(v) === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** Go's strings.Trim: removes leading and trailing characters found in `cut`. */
function trimSet(s: string, cut: string): string {
  const set = new Set(cut);
  let a = 0;
  let b = s.length;
  while (a < b && set.has(s[a]!)) a++;
  while (b > a && set.has(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function goArch(nodeArch: string): string {
  return nodeArch === 'x64' ? 'amd64' : nodeArch === 'ia32' ? '386' : nodeArch;
}
