/** Go's strconv.Unquote for double-quoted literals: the escapes LogQL strings may use. */
export function unquoteGoString(text: string): string {
  if (text.length < 2 || text[0] !== '"' || text[text.length - 1] !== '"') {
    throw new Error('invalid syntax');
  }
  const body = text.slice(1, -1);
  let out = '';
  const bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length === 0) return;
    out += Buffer.from(bytes).toString('utf8');
    bytes.length = 0;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      flushBytes();
      out += c;
      continue;
    }
    const e = body[++i];
    switch (e) {
      case 'a':
        bytes.push(7);
        break;
      case 'b':
        bytes.push(8);
        break;
      case 'f':
        bytes.push(12);
        break;
      case 'n':
        bytes.push(10);
        break;
      case 'r':
        bytes.push(13);
        break;
      case 't':
        bytes.push(9);
        break;
      case 'v':
        bytes.push(11);
        break;
      case '\\':
      case '"':
      case "'":
        bytes.push(e.charCodeAt(0));
        break;
      case 'x':
        bytes.push(hex(body.slice(i + 1, i + 3), 2));
        i += 2;
        break;
      case 'u':
      case 'U': {
        const len = e === 'u' ? 4 : 8;
        flushBytes();
        out += String.fromCodePoint(hex(body.slice(i + 1, i + 1 + len), len));
        i += len;
        break;
      }
      default:
        if (e !== undefined && e >= '0' && e <= '7') {
          const oct = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(oct)) throw new Error('invalid syntax');
          bytes.push(parseInt(oct, 8));
          i += 2;
          break;
        }
        throw new Error('invalid syntax');
    }
  }
  flushBytes();
  return out;
}

function hex(digits: string, len: number): number {
  if (digits.length !== len || !/^[0-9a-fA-F]+$/.test(digits)) throw new Error('invalid syntax');
  return parseInt(digits, 16);
}
