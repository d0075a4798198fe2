/** IP addresses and ranges as Loki's `ip()` filters take them: one address, a CIDR or `a-b`. */
export interface IpRange {
  v6: boolean;
  low: bigint;
  high: bigint;
}

export function parseIpPattern(pattern: string): IpRange | undefined {
  const p = pattern.trim();
  const dash = p.indexOf('-');
  if (dash > 0) {
    const a = parseIp(p.slice(0, dash).trim());
    const b = parseIp(p.slice(dash + 1).trim());
    if (!a || !b || a.v6 !== b.v6 || a.value > b.value) return undefined;
    return { v6: a.v6, low: a.value, high: b.value };
  }
  const slash = p.indexOf('/');
  if (slash > 0) {
    const a = parseIp(p.slice(0, slash));
    const bitsText = p.slice(slash + 1);
    if (!a || !/^\d+$/.test(bitsText)) return undefined;
    const total = a.v6 ? 128n : 32n;
    const bits = BigInt(bitsText);
    if (bits > total) return undefined;
    const hostBits = total - bits;
    const low = (a.value >> hostBits) << hostBits;
    return { v6: a.v6, low, high: low + (1n << hostBits) - 1n };
  }
  const a = parseIp(p);
  return a ? { v6: a.v6, low: a.value, high: a.value } : undefined;
}

function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    let v = 0n;
    for (const part of text.split('.')) {
      if (part.length > 1 && part.startsWith('0')) return undefined;
      const n = Number(part);
      if (n > 255) return undefined;
      v = (v << 8n) | BigInt(n);
    }
    return { v6: false, value: v };
  }
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIp(text.slice(lastColon + 1));
    if (!v4 || v4.v6) return undefined;
    tailV4 = v4.value;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (halves.length === 1 && left.length !== 8) return undefined;
  if (groups < 0 || (halves.length === 2 && groups < 1)) return undefined;
  const all = [...left, ...Array<string>(groups).fill('0'), ...right];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== undefined) v = (v & ~0xffffffffn) | tailV4;
  return { v6: true, value: v };
}

export function ipInRange(range: IpRange, text: string): boolean {
  const ip = parseIp(text);
  return ip !== undefined && ip.v6 === range.v6 && ip.value >= range.low && ip.value <= range.high;
}

/** True when any IP-looking word of the line lies in the range (Loki's IP line filter). */
export function lineHasIpInRange(range: IpRange, line: string): boolean {
  const re = /[0-9a-fA-F:.]+/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    const word = m[0];
    if ((word.includes('.') || word.includes(':')) && ipInRange(range, trimIp(word))) return true;
  }
  return false;
}

function trimIp(word: string): string {
  return word
    .replace(/^[.:]+/, '')
    .replace(/\.+$/, '')
    .replace(/(?<!:):$/, '');
}
