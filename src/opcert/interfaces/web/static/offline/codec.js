// Text and byte codecs of the offline verifier (Base45, base64url, hex) and the refusal a
// failing layer throws. No state, no I/O: verifier.js re-exports what the page and tests use.

export class Refusal extends Error {
  constructor(verdict, code) { super(code); this.verdict = verdict; this.code = code; }
}
export const malformed = (code) => new Refusal("MALFORMED", code);

const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

export function base45Decode(text) {
  if (text.length % 3 === 1) { throw malformed("BASE45_LENGTH"); }
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const digits = [];
    for (const ch of text.slice(i, i + 3)) {
      const d = B45.indexOf(ch);
      if (d < 0) { throw malformed("BASE45_CHARACTER"); }
      digits.push(d);
    }
    const n = digits[0] + digits[1] * 45 + (digits.length === 3 ? digits[2] * 2025 : 0);
    if (digits.length === 3) {
      if (n > 0xffff) { throw malformed("BASE45_OVERFLOW"); }
      out.push(n >> 8, n & 0xff);
    } else {
      if (n > 0xff) { throw malformed("BASE45_OVERFLOW"); }
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

export function base64urlDecode(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw malformed("BASE64URL");
  }
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const raw = atob(b64);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

export function base64urlEncode(bytes) {
  let raw = "";
  for (const b of bytes) { raw += String.fromCharCode(b); }
  return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// Standard base64 with its padding, nothing else (as Python's b64decode(validate=True)): the
// encoding of signed notes, checkpoints and tlog-proofs. Answers the bytes or null.
export function base64Strict(text) {
  if (typeof text !== "string" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    return null;
  }
  try { return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)); } catch (error) { return null; }
}


export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
