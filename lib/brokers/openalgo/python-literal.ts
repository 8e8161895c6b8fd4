/**
 * A tiny reader for Python literal reprs — dicts, lists, tuples, quoted strings, ints, floats, True/False/None —
 * because OpenAlgo's order endpoints put `str(marshmallow_errors)` in `message`, e.g.
 * `{'orders': {0: {'strategy': ['Unknown field.']}}}`. Returns undefined for anything it cannot read fully.
 */
type Py = string | number | boolean | null | Py[] | { [key: string]: Py };

class Reader {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  value(): Py {
    this.ws();
    const c = this.s[this.i];
    if (c === "{") return this.dict();
    if (c === "[") return this.seq("]");
    if (c === "(") return this.seq(")");
    if (c === "'" || c === '"') return this.str();
    return this.atom();
  }

  dict(): { [key: string]: Py } {
    const out: { [key: string]: Py } = {};
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === "}") {
        this.i++;
        return out;
      }
      const key = this.value();
      this.ws();
      if (this.s[this.i] !== ":") throw new SyntaxError("expected ':'");
      this.i++;
      out[String(key)] = this.value();
      this.ws();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] !== "}") throw new SyntaxError("expected ',' or '}'");
    }
  }

  seq(close: "]" | ")"): Py[] {
    const out: Py[] = [];
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] !== close) throw new SyntaxError(`expected ',' or '${close}'`);
    }
  }

  str(): string {
    const quote = this.s[this.i++];
    let out = "";
    while (this.i < this.s.length) {
      const c = this.s[this.i++];
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };
      if (e in simple) out += simple[e];
      else if (e === "x" || e === "u" || e === "U") {
        const len = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = this.s.slice(this.i, this.i + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new SyntaxError("bad escape");
        out += String.fromCodePoint(parseInt(hex, 16));
        this.i += len;
      } else out += `\\${e}`;
    }
    throw new SyntaxError("unterminated string");
  }

  atom(): Py {
    const m = /^(True|False|None|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(this.s.slice(this.i));
    if (!m) throw new SyntaxError(`unexpected character at ${this.i}`);
    this.i += m[1].length;
    if (m[1] === "True") return true;
    if (m[1] === "False") return false;
    if (m[1] === "None") return null;
    return Number(m[1]);
  }
}

export function parsePythonLiteral(text: string): Py | undefined {
  const r = new Reader(text);
  try {
    const v = r.value();
    r.ws();
    return r.i === text.length ? v : undefined;
  } catch {
    return undefined;
  }
}
