// The transparency log of issuance as the page checks it (spec section 8): C2SP signed notes
// with Ed25519 lines, tlog-checkpoint bodies, tlog-proof texts, and RFC 6962 / RFC 9162
// inclusion proofs hashed with WebCrypto SHA-256. The rules are the CLI's
// (opcert.credential.tlog), so the page and `opcert verify --offline --log-proof` agree:
// - a note is refused whole when a signature line naming a trusted key does not verify;
// - a checkpoint counts only when a trusted key signed it under its own origin (its first line);
// - a proof is checked against the checkpoint it carries, which must be so signed.
// Keys are raw 32-byte Ed25519 public keys; the Ed25519 check itself is handed in (`verify`),
// the one the page uses for credentials (WebCrypto, or the vendored library).
import { base64Strict } from "./codec.js";

const PROOF_HEADER = "c2sp.org/tlog-proof@v1";
const MAX_NOTE = 1 << 20;
const MAX_SIGNATURES = 100;
const MAX_PROOF_HASHES = 64;
const DECIMAL = /^(0|[1-9][0-9]{0,18})$/;
const KEY_NAME = /^[^\s+]+$/;
const CONTROL = /[\x00-\x09\x0b-\x1f]/;
const encoder = new TextEncoder();

async function sha256(...parts) {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) { bytes.set(part, at); at += part.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function same(a, b) {
  if (a.length !== b.length) { return false; }
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) { diff |= a[i] ^ b[i]; }
  return diff === 0;
}

// The key hash of a signature line: SHA-256(name || "\n" || 0x01 || public key)[:4].
async function keyHash(name, raw) {
  return (await sha256(encoder.encode(name + "\n"), [0x01], raw)).slice(0, 4);
}

function signatureLine(line) {
  if (!line.startsWith("\u2014 ")) { return null; }
  const rest = line.slice(2);
  const space = rest.indexOf(" ");
  const name = space < 0 ? "" : rest.slice(0, space);
  const blob = space < 0 ? null : base64Strict(rest.slice(space + 1));
  return KEY_NAME.test(name) && blob && blob.length >= 5 ? { name, blob } : null;
}

// A signed note's text and the names of the trusted keys that signed it, or null.
export async function openNote(note, keys, verify) {
  if (typeof note !== "string" || note.length > MAX_NOTE || CONTROL.test(note)) { return null; }
  const split = note.lastIndexOf("\n\n");
  const signatures = split < 0 ? "" : note.slice(split + 2);
  if (split < 0 || !signatures.endsWith("\n")) { return null; }
  const text = note.slice(0, split) + "\n";
  const lines = signatures.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) { return null; }
  const message = encoder.encode(text);
  const signedBy = [];
  for (const line of lines) {
    const signature = signatureLine(line);
    if (!signature) { return null; }
    for (const raw of keys) {
      if (!same(signature.blob.slice(0, 4), await keyHash(signature.name, raw))) { continue; }
      if (!(await verify(raw, signature.blob.slice(4), message))) { return null; }
      signedBy.push(signature.name);
    }
  }
  return signedBy.length ? { text, signedBy } : null;
}

// A checkpoint body: origin, tree size (decimal, BigInt), root hash (32 bytes), extensions.
export function parseCheckpoint(text) {
  const lines = text.split("\n");
  if (lines.length < 4 || lines[lines.length - 1] !== "" || lines.slice(0, -1).some((l) => !l)) {
    return null;
  }
  const root = base64Strict(lines[2]);
  if (!DECIMAL.test(lines[1]) || !root || root.length !== 32) { return null; }
  return { origin: lines[0], size: BigInt(lines[1]), root, rootText: lines[2] };
}

export async function openCheckpoint(note, keys, verify) {
  const opened = await openNote(note, keys, verify);
  const checkpoint = opened && parseCheckpoint(opened.text);
  return checkpoint && opened.signedBy.includes(checkpoint.origin) ? checkpoint : null;
}

// A C2SP tlog-proof: {index (BigInt), hashes, checkpoint (the signed note)} or null.
export function parseProof(text) {
  if (typeof text !== "string" || text.length > MAX_NOTE) { return null; }
  const split = text.indexOf("\n\n");
  if (split < 0) { return null; }
  const lines = text.slice(0, split).split("\n");
  if (lines[0] !== PROOF_HEADER) { return null; }
  let at = 1;
  if (lines.length > at && lines[at].startsWith("extra ")) {
    if (!base64Strict(lines[at].slice(6))) { return null; }
    at += 1;
  }
  if (lines.length <= at || !lines[at].startsWith("index ") || !DECIMAL.test(lines[at].slice(6))) {
    return null;
  }
  const hashes = lines.slice(at + 1).map(base64Strict);
  if (hashes.length > MAX_PROOF_HASHES || hashes.some((h) => !h || h.length !== 32)) { return null; }
  return { index: BigInt(lines[at].slice(6)), hashes, checkpoint: text.slice(split + 2) };
}

// RFC 9162 2.1.3.2: the root hash the path leads to from leaf `index` of a tree of `size`, or null.
async function rootFromPath(leaf, index, size, path) {
  if (index >= size) { return null; }
  let fn = index, sn = size - 1n, r = leaf;
  for (const p of path) {
    if (sn === 0n) { return null; }
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256([0x01], p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await sha256([0x01], r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

// Is `leafData` (a credential's COSE_Sign1 bytes) at the proof's index in the tree of the
// proof's checkpoint, signed under its origin by one of `keys`?
export async function proves(leafData, proof, keys, verify) {
  const checkpoint = await openCheckpoint(proof.checkpoint, keys, verify);
  if (!checkpoint) { return false; }
  const root = await rootFromPath(await sha256([0x00], leafData), proof.index, checkpoint.size, proof.hashes);
  return root !== null && same(root, checkpoint.root);
}
