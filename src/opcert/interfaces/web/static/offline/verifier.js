// The SC1 verifier of ../shared/spec/credential.md section 6, run in the page (no server).
// Pure functions of (text, trust list, status lists, remembered revisions, now): nothing here
// reads the clock or the storage, so the same code runs the page and the vector tests.
import { decode as cborDecode } from "../vendor/cborg.js";
import {
  Refusal, base45Decode, base64urlDecode, base64urlEncode, hex, malformed,
} from "./codec.js";
import * as tlog from "./tlog.js";

export { Refusal, base45Decode, base64urlDecode, base64urlEncode, hex };

const MAX_INFLATED = 64 * 1024; // a credential is a few hundred bytes; refuse a deflate bomb
const MAX_BITS = 1024 * 1024; // an uncompressed status bitstring (spec: at least 16 KiB)
const COSE_ALG = { "-8": "EdDSA", "-7": "ES256" };
const ED25519_SPKI_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
const STATUS_VERDICT = ["VALID", "REVOKED", "SUPERSEDED", "SUSPENDED"];
const LOG_ISSUER = "CN-LOG"; // a trust-list key of this issuer may sign the log's checkpoints

async function decompress(bytes, format, limit, code) {
  // DecompressionStream checks the zlib Adler-32 / gzip CRC and refuses a truncated stream.
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format));
    const reader = stream.getReader();
    const parts = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) { break; }
      size += value.length;
      if (size > limit) { await reader.cancel(); throw new Error("too large"); }
      parts.push(value);
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const part of parts) { out.set(part, at); at += part.length; }
    return out;
  } catch (error) {
    throw malformed(code);
  }
}

const TAGS = [];
TAGS[18] = (decodeInner) => ({ coseSign1: decodeInner() });

function cbor(bytes, code) {
  try {
    return cborDecode(bytes, { useMaps: true, tags: TAGS, rejectDuplicateMapKeys: true });
  } catch (error) {
    throw malformed(code);
  }
}

const isBytes = (v) => v instanceof Uint8Array;
const isText = (v) => typeof v === "string";
const isUint = (v) => Number.isSafeInteger(v) && v >= 0;

// Step 1: the envelope. Claims are not read here (step 3).
export async function decodeEnvelope(text) {
  if (!text.startsWith("SC1:")) { throw malformed("PREFIX"); }
  const inflated = await decompress(base45Decode(text.slice(4)), "deflate", MAX_INFLATED, "ZLIB");
  let cose = cbor(inflated, "CBOR");
  if (cose !== null && typeof cose === "object" && "coseSign1" in cose && !Array.isArray(cose)) {
    cose = cose.coseSign1;
  }
  if (!Array.isArray(cose) || cose.length !== 4) { throw malformed("COSE_STRUCTURE"); }
  const [protectedBytes, unprotected, payload, signature] = cose;
  if (!isBytes(protectedBytes) || !(unprotected instanceof Map) || !isBytes(payload) || !isBytes(signature)) {
    throw malformed("COSE_STRUCTURE");
  }
  const header = protectedBytes.length === 0 ? new Map() : cbor(protectedBytes, "CBOR");
  if (!(header instanceof Map)) { throw malformed("COSE_HEADER"); }
  const alg = header.get(1);
  const kid = header.get(4);
  // The payload is read as CBOR here only to show it as unverified; whether it is a CWT at all
  // is decided after the signature (step 3): a signed non-CBOR payload is MALFORMED there.
  let claims;
  try { claims = cbor(payload, "CBOR"); } catch (error) { claims = undefined; }
  return {
    cose: inflated, protectedBytes, payload, signature, claims,
    alg: Number.isInteger(alg) ? alg : null,
    kid: isBytes(kid) ? kid : null,
  };
}

function bstrHeader(length) {
  if (length < 24) { return [0x40 + length]; }
  if (length < 0x100) { return [0x58, length]; }
  if (length < 0x10000) { return [0x59, length >> 8, length & 0xff]; }
  return [0x5a, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff];
}

// RFC 9052 section 4.4: ["Signature1", protected, external_aad = h'', payload]
export function sigStructure(protectedBytes, payload) {
  const context = new TextEncoder().encode("Signature1");
  const parts = [[0x84, 0x60 + context.length], context, bstrHeader(protectedBytes.length),
    protectedBytes, [0x40], bstrHeader(payload.length), payload];
  return new Uint8Array(parts.flatMap((p) => Array.from(p)));
}

let nobleModule = null;
let webCryptoEd25519 = null; // null: not tried yet

async function ed25519Verify(publicKey, signature, message) {
  if (signature.length !== 64 || publicKey.length !== 32) { return false; }
  if (webCryptoEd25519 !== false) {
    try {
      const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
      webCryptoEd25519 = true;
      return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
    } catch (error) {
      if (webCryptoEd25519 === true) { return false; } // the browser has Ed25519: a bad key
      webCryptoEd25519 = false;
    }
  }
  if (!nobleModule) { nobleModule = await import("../vendor/noble-ed25519.js"); }
  try {
    return await nobleModule.verifyAsync(signature, message, publicKey);
  } catch (error) {
    return false;
  }
}

// For the tests (and a browser whose WebCrypto Ed25519 misbehaves): use the vendored library.
export function preferLibraryEd25519() {
  webCryptoEd25519 = false;
}

export function ed25519Backend() {
  return webCryptoEd25519 === false ? "noble-ed25519" : "WebCrypto";
}

async function es256Verify(jwk, signature, message) {
  if (signature.length !== 64) { return false; } // RFC 9053: raw r || s, never DER
  try {
    const key = await crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y },
      { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, message);
  } catch (error) {
    return false;
  }
}

export async function verifyWithJwk(alg, jwk, signature, message) {
  if (!jwk || typeof jwk !== "object") { return false; }
  if (alg === "EdDSA" && jwk.kty === "OKP" && jwk.crv === "Ed25519") {
    let x;
    try { x = base64urlDecode(jwk.x); } catch (error) { return false; }
    return ed25519Verify(x, signature, message);
  }
  if (alg === "ES256" && jwk.kty === "EC" && jwk.crv === "P-256") {
    return es256Verify(jwk, signature, message);
  }
  return false;
}

// The pinned root: lowercase hex SHA-256 of the Ed25519 root key's SPKI DER (spec section 4).
export async function rootFingerprint(jwk) {
  const x = base64urlDecode(jwk.x);
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || x.length !== 32) { throw malformed("ROOT_KEY"); }
  const der = new Uint8Array([...ED25519_SPKI_PREFIX, ...x]);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
  return { fingerprint: hex(digest), kid: base64urlEncode(digest.slice(0, 8)) };
}

export function normaliseFingerprint(text) {
  return String(text || "").replace(/[\s:]/g, "").toLowerCase();
}

async function verifyJws(jws, keyFor) {
  const parts = typeof jws === "string" ? jws.trim().split(".") : [];
  if (parts.length !== 3) { return null; }
  let header, payload;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(base64urlDecode(parts[0])));
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(base64urlDecode(parts[1])));
  } catch (error) {
    return null;
  }
  if (!header || typeof header !== "object" || !payload || typeof payload !== "object") { return null; }
  const key = keyFor(header);
  if (!key || header.alg !== key.alg) { return null; }
  const signed = new TextEncoder().encode(parts[0] + "." + parts[1]);
  let signature;
  try { signature = base64urlDecode(parts[2]); } catch (error) { return null; }
  return (await verifyWithJwk(key.alg, key.jwk, signature, signed)) ? { header, payload, key } : null;
}

// Step 0: the trust list, signed by a root whose fingerprint is the pinned one.
// Answers {keys, iat, exp, rootKid} or throws Refusal UNTRUSTED_ROOT.
export async function openTrustList(jws, rootJwk, pinnedFingerprint) {
  let fingerprint = null, rootKid = null;
  try { ({ fingerprint, kid: rootKid } = await rootFingerprint(rootJwk)); } catch (error) { fingerprint = null; }
  if (!fingerprint || fingerprint !== normaliseFingerprint(pinnedFingerprint)) {
    throw new Refusal("UNTRUSTED_ROOT", "ROOT_NOT_PINNED");
  }
  const root = { alg: "EdDSA", jwk: rootJwk };
  const opened = await verifyJws(jws, (header) => (header.kid === rootKid ? root : null));
  const body = opened && opened.payload;
  if (!body || !Array.isArray(body.keys) || !Number.isSafeInteger(body.exp) || !Number.isSafeInteger(body.iat)) {
    throw new Refusal("UNTRUSTED_ROOT", "TRUST_LIST_NOT_SIGNED_BY_ROOT");
  }
  const keys = new Map();
  for (const key of body.keys) {
    if (key && isText(key.kid) && isText(key.alg) && isText(key.issuer) && key.jwk) { keys.set(key.kid, key); }
  }
  return { keys, iat: body.iat, exp: body.exp, root, rootKid, rootFingerprint: fingerprint };
}

// A status list JWS, signed by a trust-list key of its issuer or by the root.
// Answers the list (bits decompressed) or null when it is not one.
export async function openStatusList(jws, trust) {
  const opened = await verifyJws(jws, (header) => {
    const key = trust.keys.get(header.kid);
    return key || (header.kid === undefined ? null : trust.rootKid === header.kid ? trust.root : null);
  });
  if (!opened) { return null; }
  const body = opened.payload;
  if (!isText(body.list_id) || !isText(body.iss) || !Number.isSafeInteger(body.iat) || !isText(body.bits)) {
    return null;
  }
  if (opened.key.issuer !== undefined && opened.key.issuer !== body.iss) { return null; }
  if (body.exp !== undefined && body.exp !== null && !Number.isSafeInteger(body.exp)) { return null; }
  if (body.rev !== undefined && body.rev !== null && !Number.isSafeInteger(body.rev)) { return null; }
  let bits;
  try { bits = await decompress(base64urlDecode(body.bits), "gzip", MAX_BITS, "BITS"); } catch (error) { return null; }
  return {
    listId: body.list_id, iss: body.iss, iat: body.iat, ttl: Number.isSafeInteger(body.ttl) ? body.ttl : 0,
    exp: Number.isSafeInteger(body.exp) ? body.exp : null, rev: Number.isSafeInteger(body.rev) ? body.rev : null,
    bits,
  };
}

// The keys that may sign the log's checkpoints (spec section 8): the pinned root and every
// trust-list key of issuer CN-LOG, as raw Ed25519 public keys.
function logKeys(trust) {
  const keys = [];
  const jwks = [trust.root.jwk];
  for (const key of trust.keys.values()) { if (key.issuer === LOG_ISSUER && key.alg === "EdDSA") { jwks.push(key.jwk); } }
  for (const jwk of jwks) {
    try {
      const x = base64urlDecode(jwk.x);
      if (jwk.kty === "OKP" && jwk.crv === "Ed25519" && x.length === 32) { keys.push(x); }
    } catch (error) { /* not an Ed25519 key: it signs no checkpoint */ }
  }
  return keys;
}

// The log checkpoint: a C2SP signed note whose body is origin, tree size and root hash, signed
// under its origin by the root or a CN-LOG key (tlog.js). Answers {origin, size, hash} or null.
export async function openCheckpoint(note, trust) {
  if (!trust || !trust.keys || !trust.root) { return null; }
  const checkpoint = await tlog.openCheckpoint(note, logKeys(trust), ed25519Verify);
  return checkpoint && { origin: checkpoint.origin, size: Number(checkpoint.size), hash: checkpoint.rootText };
}

// Step 6: is the credential (its COSE_Sign1 bytes) proven in the log by `proofText`, a C2SP
// tlog-proof whose checkpoint the root or a CN-LOG key signed? No proof, or one that does not
// prove it: false (NOT_LOGGED), as `opcert verify --offline --log-proof`.
export async function isLogged(cose, proofText, trust) {
  const proof = tlog.parseProof(proofText);
  return proof !== null && tlog.proves(cose, proof, logKeys(trust), ed25519Verify);
}

// Until status lists carry `exp` (spec section 5), a list speaks for iat + ttl seconds.
export function listExpiry(list) {
  return list.exp !== null ? list.exp : list.iat + list.ttl;
}

// A list older than one already accepted: by `rev`, or by `iat` for a list without `rev`.
export function isRolledBack(list, seen) {
  if (!seen) { return false; }
  if (list.rev !== null && Number.isSafeInteger(seen.rev)) { return list.rev < seen.rev; }
  return Number.isSafeInteger(seen.iat) && list.iat < seen.iat;
}

export function entryOf(bits, index) {
  const byte = bits[index >> 2];
  return byte === undefined ? null : (byte >> (6 - 2 * (index & 3))) & 3;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function startOfDayShanghai(text) {
  const m = DATE.exec(text);
  if (!m) { return null; }
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  const back = new Date(utc);
  if (back.getUTCFullYear() !== +m[1] || back.getUTCMonth() !== +m[2] - 1 || back.getUTCDate() !== +m[3]) {
    return null;
  }
  return utc / 1000 - 8 * 3600;
}

const REQUIRED_TEXT = ["typ", "no", "nam", "itn", "fst", "vfr", "vto", "aut", "rs"];

// Step 3, after the signature: the CWT claims of spec section 3, or null if ill-formed.
export function readClaims(claims) {
  if (!(claims instanceof Map)) { return null; }
  const iss = claims.get(1), iat = claims.get(6), exp = claims.get(4), cti = claims.get(7);
  const cert = claims.get(-65537);
  if (!isText(iss) || !isUint(iat) || !isUint(exp) || !isBytes(cti) || cti.length !== 16) { return null; }
  if (!(cert instanceof Map)) { return null; }
  const c = {};
  for (const [k, v] of cert) { if (isText(k)) { c[k] = v; } }
  if (c.v !== 1 || !isUint(c.sex)) { return null; }
  for (const name of REQUIRED_TEXT) { if (!isText(c[name])) { return null; } }
  if (c.typ !== "SO" && c.typ !== "SM") { return null; }
  if (c.typ === "SO" && (!isText(c.cat) || !isText(c.itm))) { return null; }
  if (c.rvd !== undefined && !isText(c.rvd)) { return null; }
  for (const name of ["fst", "vfr", "vto"]) { if (startOfDayShanghai(c[name]) === null) { return null; } }
  if (c.rvd !== undefined && startOfDayShanghai(c.rvd) === null) { return null; }
  if (!Array.isArray(c.st) || c.st.length !== 2 || !isText(c.st[0]) || !isUint(c.st[1])) { return null; }
  const certificate = {};
  for (const name of ["v", "typ", "no", "nam", "sex", "cat", "itm", "itn", "fst", "vfr", "vto", "rvd", "aut", "rs", "st"]) {
    if (c[name] !== undefined) { certificate[name] = c[name]; }
  }
  return { iss, iat, exp, cti: hex(cti), certificate };
}

function uncheckedCertificate(claims) {
  // What a person may see after BAD_SIGNATURE or earlier: shown only as unverified.
  const cert = claims instanceof Map ? claims.get(-65537) : null;
  if (!(cert instanceof Map)) { return null; }
  const out = {};
  for (const name of ["no", "nam", "itn", "vfr", "vto", "aut"]) {
    if (isText(cert.get(name))) { out[name] = cert.get(name); }
  }
  return out;
}

/**
 * Verify one SC1 string (spec section 6, in order).
 * trust: from openTrustList, or a Refusal (UNTRUSTED_ROOT); lists: Map list_id -> opened list;
 * seen: {list_id: {rev, iat}} the highest accepted; now: epoch seconds; log: null, or
 * {proof: C2SP tlog-proof text or null} to require the transparency log (step 6).
 * Never throws: answers {verdict, code, certificate, verified, listAge, trustStale}.
 */
export async function verifyCredential(input, { trust, lists, seen, now, log = null }) {
  const result = (verdict, code, extra = {}) => ({ verdict, code, certificate: null, verified: false, ...extra });
  try {
    if (!trust || trust instanceof Refusal) { return result("UNTRUSTED_ROOT", trust ? trust.code : "NO_TRUST_LIST"); }
    const text = String(input).replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, "");
    const trustStale = now >= trust.exp;
    let envelope;
    try {
      envelope = await decodeEnvelope(text);
    } catch (error) {
      if (error instanceof Refusal) { return result(error.verdict, error.code, { trustStale }); }
      throw error;
    }
    const unverified = { certificate: uncheckedCertificate(envelope.claims), trustStale };
    const kid = envelope.kid ? base64urlEncode(envelope.kid) : null;
    const key = kid !== null ? trust.keys.get(kid) : undefined;
    if (!key) { return result("UNKNOWN_KEY", "KID_NOT_IN_TRUST_LIST", unverified); }
    const alg = COSE_ALG[String(envelope.alg)];
    const good = alg === key.alg &&
      await verifyWithJwk(key.alg, key.jwk, envelope.signature, sigStructure(envelope.protectedBytes, envelope.payload));
    if (!good) { return result("BAD_SIGNATURE", "SIGNATURE", unverified); }
    const claims = readClaims(envelope.claims); // only now are the claims read
    if (!claims) { return result("MALFORMED", "CLAIMS", { trustStale }); }
    const verified = { certificate: claims.certificate, verified: true, trustStale, iss: claims.iss };
    if (key.status === "revoked" && Number.isSafeInteger(key.revoked_at) && claims.iat >= key.revoked_at) {
      return result("KEY_REVOKED", "KEY_REVOKED", verified);
    }
    if (claims.iss !== key.issuer) { return result("BAD_SIGNATURE", "ISSUER_MISMATCH", { ...verified, verified: false }); }
    if (Number.isSafeInteger(key.nbf) && claims.iat < key.nbf) {
      return result("BAD_SIGNATURE", "IAT_BEFORE_KEY", { ...verified, verified: false });
    }
    if (now < startOfDayShanghai(claims.certificate.vfr)) { return result("NOT_YET_VALID", "DATES", verified); }
    if (now >= claims.exp) { return result("EXPIRED", "DATES", verified); }
    // Step 6, where the verifier is given a log proof or requires one: {proof: text or null}.
    if (log && !(await isLogged(envelope.cose, log.proof, trust))) {
      return result("NOT_LOGGED", log.proof ? "NOT_IN_LOG" : "NO_LOG_PROOF", verified);
    }
    const [listId, index] = claims.certificate.st;
    const list = lists.get(listId);
    if (!list || list.listId !== listId || list.iss !== claims.iss) {
      return result("STATUS_UNKNOWN", "LIST_MISSING", verified);
    }
    const listAge = Math.max(0, Math.floor(now - list.iat));
    if (isRolledBack(list, seen && seen[listId])) { return result("STATUS_UNKNOWN", "LIST_ROLLED_BACK", { ...verified, listAge }); }
    if (now >= listExpiry(list)) { return result("STATUS_UNKNOWN", "LIST_EXPIRED", { ...verified, listAge }); }
    const value = entryOf(list.bits, index);
    if (value === null) { return result("STATUS_UNKNOWN", "ENTRY_OUTSIDE_LIST", { ...verified, listAge }); }
    return result(STATUS_VERDICT[value], value === 0 ? "OK" : "STATUS", { ...verified, listAge });
  } catch (error) {
    return result("MALFORMED", "INTERNAL_ERROR");
  }
}

