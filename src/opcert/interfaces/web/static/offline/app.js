// The offline verifier of /verify: keeps the pinned root, the trust list, every status list and
// the log checkpoint, and verifies an SC1 string in the page (offline/verifier.js). Loaded after
// the page (type=module, deferred); the verifier and its libraries load after the load event.
const DATA_CACHE = "opcert-verify-data-v1";
const PIN_KEY = "opcert.verify.pin"; // {fingerprint, root_jwk, pinned_at}
const SEEN_KEY = "opcert.verify.seen"; // {list_id: {rev, iat}}: the highest accepted per list
const REFRESHED_KEY = "opcert.verify.refreshed";

const panel = document.getElementById("offline");
const form = document.getElementById("paste-form");
const out = document.getElementById("offline-result");
const text = (key) => (panel ? panel.getAttribute("data-t-" + key) || key : key);
let verifier = null;
let state = { trust: null, lists: new Map(), checkpoint: null };
let notes = [];

const readJson = (key) => { try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; } };
const writeJson = (key, value) => localStorage.setItem(key, JSON.stringify(value));
const nowSeconds = () => Math.floor(Date.now() / 1000);

function age(seconds) {
  if (seconds === null || seconds === undefined) { return "-"; }
  if (seconds < 3600) { return Math.max(0, Math.floor(seconds / 60)) + " " + text("minutes"); }
  if (seconds < 172800) { return Math.floor(seconds / 3600) + " " + text("hours"); }
  return Math.floor(seconds / 86400) + " " + text("days");
}
const grouped = (fp) => (fp || "").replace(/(.{4})/g, "$1 ").trim();

async function kept(url) {
  const cache = await caches.open(DATA_CACHE);
  const hit = await cache.match(url);
  return hit ? hit.text() : null;
}
async function keep(url, body) {
  const cache = await caches.open(DATA_CACHE);
  await cache.put(url, new Response(body, { headers: { "Content-Type": "text/plain" } }));
}
async function fetchText(url) {
  const response = await fetch(url, { cache: "no-store", credentials: "omit" });
  return response.ok ? response.text() : null;
}

// Read what is kept, verify it again (a cache is not trusted more than the network).
async function load() {
  const pin = readJson(PIN_KEY);
  const config = JSON.parse((await kept("/verify/offline.json")) || "null");
  state = { trust: null, lists: new Map(), checkpoint: null };
  if (!pin || !config) { return; }
  const trustJws = await kept(config.trust_list);
  if (!trustJws) { return; }
  try {
    state.trust = await verifier.openTrustList(trustJws, pin.root_jwk, pin.fingerprint);
  } catch (refusal) {
    state.trust = refusal; // UNTRUSTED_ROOT for every credential
    return;
  }
  const checkpoint = await kept(config.checkpoint);
  state.checkpoint = checkpoint ? await verifier.openCheckpoint(checkpoint, state.trust) : null;
  for (const url of config.status_lists) {
    const jws = await kept(url);
    const list = jws && await verifier.openStatusList(jws, state.trust);
    if (list) { state.lists.set(list.listId, list); }
  }
}

// Online: fetch the configuration, the trust list, every status list and the checkpoint, and keep
// what verifies. The first run pins the root the server names; later runs never change the pin.
async function refresh() {
  const note = [];
  const configText = await fetchText("/verify/offline.json");
  if (!configText) { return note; }
  const config = JSON.parse(configText);
  let pin = readJson(PIN_KEY);
  if (!pin) {
    pin = { fingerprint: config.root_fingerprint, root_jwk: config.root_jwk, pinned_at: nowSeconds() };
    writeJson(PIN_KEY, pin);
  } else if (pin.fingerprint !== config.root_fingerprint) {
    note.push(text("root-changed"));
  }
  await keep("/verify/offline.json", configText);
  const trustJws = await fetchText(config.trust_list);
  let trust = null;
  if (trustJws) {
    try {
      trust = await verifier.openTrustList(trustJws, pin.root_jwk, pin.fingerprint);
      await keep(config.trust_list, trustJws);
    } catch (refusal) {
      note.push(text("trust-refused"));
    }
  }
  if (trust) {
    const seen = readJson(SEEN_KEY) || {};
    for (const url of config.status_lists) {
      const jws = await fetchText(url).catch(() => null);
      const list = jws && await verifier.openStatusList(jws, trust);
      if (!list) { continue; }
      if (verifier.isRolledBack(list, seen[list.listId])) { note.push(text("rolled-back") + " " + list.listId); continue; }
      const before = seen[list.listId] || {};
      seen[list.listId] = {
        rev: list.rev !== null ? Math.max(list.rev, Number.isSafeInteger(before.rev) ? before.rev : list.rev) : before.rev,
        iat: Math.max(list.iat, Number.isSafeInteger(before.iat) ? before.iat : list.iat),
      };
      await keep(url, jws);
    }
    writeJson(SEEN_KEY, seen);
  }
  // The checkpoint, where the server publishes one: kept only when a pinned-root or CN-LOG key
  // signed it and its tree is not smaller than the one kept (a log only grows).
  const response = await fetch(config.checkpoint, { cache: "no-store" }).catch(() => null);
  if (trust && response && response.ok) {
    const signed = await response.text();
    const opened = await verifier.openCheckpoint(signed, trust);
    const before = await kept(config.checkpoint);
    const previous = before ? await verifier.openCheckpoint(before, trust) : null;
    if (!opened || (previous && opened.size < previous.size)) {
      note.push(text("checkpoint-refused"));
    } else {
      await keep(config.checkpoint, signed);
    }
  }
  localStorage.setItem(REFRESHED_KEY, String(nowSeconds()));
  return note;
}

function show(latest) {
  notes = latest;
  const pin = readJson(PIN_KEY);
  const now = nowSeconds();
  const set = (id, value) => { const el = document.getElementById(id); if (el) { el.textContent = value; } };
  set("offline-fingerprint", pin ? grouped(pin.fingerprint) : text("none"));
  const trust = state.trust && !(state.trust instanceof verifier.Refusal) ? state.trust : null;
  set("offline-trust", trust
    ? age(now - trust.iat) + (now >= trust.exp ? " · " + text("stale") : "")
    : (state.trust ? text("untrusted") : text("none")));
  let oldest = null, stale = 0;
  for (const list of state.lists.values()) {
    oldest = Math.max(oldest === null ? 0 : oldest, now - list.iat);
    if (now >= verifier.listExpiry(list)) { stale += 1; }
  }
  set("offline-lists", state.lists.size + " · " + text("oldest") + " " + age(oldest) + (stale ? " · " + stale + " " + text("stale") : ""));
  let checkpoint = text("no-checkpoint");
  if (state.checkpoint) { checkpoint = text("tree-size") + " " + state.checkpoint.size; }
  set("offline-checkpoint", checkpoint);
  const refreshed = Number(localStorage.getItem(REFRESHED_KEY) || 0);
  set("offline-refreshed", refreshed ? age(now - refreshed) + " " + text("ago") : text("never"));
  set("offline-note", notes.join(" "));
  panel.hidden = false;
  panel.setAttribute("data-ready", state.trust ? "yes" : "no");
}

function render(result) {
  out.textContent = "";
  const box = document.createElement("div");
  box.className = "verdict " + (result.verdict === "VALID" ? "verdict-ok" : "verdict-bad");
  box.setAttribute("role", "status");
  box.setAttribute("data-testid", "offline-verdict");
  box.setAttribute("data-verdict", result.verdict);
  box.setAttribute("data-code", result.code || "");
  box.textContent = text("verdict-" + result.verdict);
  const small = document.createElement("small");
  const bits = [text("checked-in-page")];
  if (result.listAge !== undefined) { bits.push(text("list-age") + " " + age(result.listAge)); }
  if (result.trustStale) { bits.push(text("trust-stale")); }
  small.textContent = bits.join(" · ");
  box.appendChild(small);
  out.appendChild(box);
  if (result.certificate) {
    const card = document.createElement("dl");
    card.className = "facts";
    if (!result.verified) {
      const warn = document.createElement("p");
      warn.className = "error";
      warn.textContent = text("unverified");
      out.appendChild(warn);
    }
    // After a failed signature nothing of the content is shown as fact: the number and the name
    // only, under the unverified warning (issue 14), as on the server's verdict page.
    const keys = result.verified ? ["no", "nam", "itn", "vfr", "vto", "rvd", "aut"] : ["no", "nam"];
    for (const key of keys) {
      if (result.certificate[key] === undefined) { continue; }
      const dt = document.createElement("dt");
      dt.textContent = text("field-" + key);
      const dd = document.createElement("dd");
      dd.textContent = String(result.certificate[key]);
      card.append(dt, dd);
    }
    out.appendChild(card);
  }
  out.hidden = false;
  out.scrollIntoView({ block: "nearest" });
}

// Lists past their expiry (or a stale trust list) are fetched again before a check when online.
function needsRefresh() {
  const now = nowSeconds();
  if (!state.trust || state.trust instanceof verifier.Refusal || now >= state.trust.exp) { return true; }
  for (const list of state.lists.values()) { if (now >= verifier.listExpiry(list)) { return true; } }
  return false;
}

async function update() {
  const latest = await refresh().catch(() => [text("refresh-failed")]);
  await load();
  show(latest);
}

// Pasted QR text loses its line breaks, tabs and other white space, and its end spaces; a space
// inside is Base45's own (the same rule as opcert.domain.pasted_text on the server).
export const pastedQrText = (text) => text.replace(/[^\S ]+/g, "").replace(/^ +| +$/g, "");

// `logProof`: a C2SP tlog-proof given with the credential (GET /api/v1/log/proof?cti=...); with
// one, the credential must be in the log (spec step 6), as with `opcert verify --log-proof`.
export async function verifyHere(payload, logProof = undefined) {
  const result = await verifier.verifyCredential(payload, {
    trust: state.trust, lists: state.lists, seen: readJson(SEEN_KEY) || {}, now: nowSeconds(),
    log: logProof === undefined ? null : { proof: logProof },
  });
  render(result);
  show(notes); // the ages of the lists, as of this verification
  return result;
}

async function start() {
  if (!panel || !window.crypto || !crypto.subtle || !window.caches || !window.DecompressionStream) { return; }
  verifier = await import("./verifier.js");
  await load();
  show([]);
  if (navigator.onLine) { await update(); }
  form.addEventListener("submit", async (event) => {
    if (!state.trust) { return; } // nothing kept yet: the server verifies (the form posts)
    event.preventDefault();
    if (navigator.onLine && needsRefresh()) { await update(); }
    verifyHere(pastedQrText(form.elements.payload.value));
  });
  window.addEventListener("online", () => { update(); }); // back in signal: fresh lists
  let photoText = null;
  document.addEventListener("opcert:photo-read", (event) => {
    photoText = event.detail;
    if (state.trust) { verifyHere(photoText); }
  });
  document.getElementById("photo-form").addEventListener("submit", (event) => {
    // Offline the upload cannot reach the server: the QR text read from the photo is verified here.
    if (!navigator.onLine && state.trust && photoText) { event.preventDefault(); verifyHere(photoText); }
  });
  document.getElementById("offline-refresh").addEventListener("click", () => { update(); });
  document.getElementById("offline-compare").addEventListener("submit", (event) => {
    event.preventDefault();
    const pin = readJson(PIN_KEY);
    const typed = verifier.normaliseFingerprint(event.target.elements.published.value);
    document.getElementById("offline-compare-result").textContent =
      pin && typed === pin.fingerprint ? text("fingerprint-match") : text("fingerprint-mismatch");
  });
  panel.setAttribute("data-loaded", "yes");
  window.opcertOffline = { verifyHere, state: () => state, verifier };
}

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => { navigator.serviceWorker.register("/verify-sw.js", { scope: "/" }).catch(() => {}); });
}
if (document.readyState === "complete") { start(); } else { window.addEventListener("load", () => { start(); }); }
