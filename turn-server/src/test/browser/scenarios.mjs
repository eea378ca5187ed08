// Runs one end-to-end scenario of Tern's demo page in real Chromium and prints its observations as
// one JSON object on the last line of stdout (progress goes to stderr). The JUnit tests in
// io.tern.server.browser create the network namespaces, start Tern, run this and assert.
//
//   node scenarios.mjs '{"scenario":"pair","origin":"http://198.18.0.1:9641","room":"r1","clients":["ns-a","ns-b"]}'
//
// Exit status 0 with {"ok":true,...}; 1 with {"ok":false,"error":...,"states":...} when a step
// timed out or broke (the message names the step and the page state).
import { execFileSync } from 'node:child_process';
import { Participant, StepFailed, connectedTo, launchIn, log, sleep } from './harness.mjs';

const IP = process.env.TERN_IP ?? '/usr/sbin/ip';
const NFT = process.env.TERN_NFT ?? '/usr/sbin/nft';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const browsers = [];
const participants = [];
const cutNetworks = new Set(); // restored whatever happens: the next scenario uses the namespace

/** Launches one browser per client namespace (in parallel), then joins them one after the other. */
async function join(names, { relay = true, quality = 'medium' } = {}) {
  const launched = await Promise.all(names.map((_, i) => launchIn(cfg.clients[i], cfg.origin, cfg.chromiumArgs ?? [])));
  browsers.push(...launched);
  const joined = [];
  for (const [i, name] of names.entries()) {
    const url = `${cfg.origin}/?room=${encodeURIComponent(cfg.room)}&name=${encodeURIComponent(name)}` +
      `&autojoin=1&relay=${relay ? 1 : 0}&quality=${quality}`;
    const p = await Participant.open(launched[i], name, url);
    participants.push(p);
    // Joining in order makes the later one the offerer, as the protocol says.
    await p.waitFor('joined the room', (s) => s.joined, 10_000);
    joined.push(p);
  }
  return joined;
}

async function allConnected(list, count, timeoutMs = 20_000) {
  await Promise.all(list.map((p) => p.waitFor(`connected to ${count} peer(s)`, connectedTo(count), timeoutMs)));
}

/** Waits until every participant has decoded `frames` more video frames from every peer. */
async function framesFlow(list, frames, timeoutMs = 15_000) {
  const start = await Promise.all(list.map((p) => p.state()));
  await Promise.all(
    list.map((p, i) => {
      const before = new Map(start[i].peers.map((x) => [x.id, x.framesDecoded]));
      return p.waitFor(
        `${frames} more video frames decoded from every peer`,
        (s) => s.peers.length > 0 && s.peers.every((x) => x.framesDecoded - (before.get(x.id) ?? 0) >= frames),
        timeoutMs,
      );
    }),
  );
}

function snapshot(list) {
  return Promise.all(list.map(async (p) => ({ name: p.label, state: await p.state(), peers: await p.stats() })));
}

async function relayedBytes(p) {
  const text = await p.page.evaluate(async () => {
    const r = await fetch('/metrics');
    return r.ok ? r.text() : '';
  });
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^tern_relayed_bytes_total\{[^}]*\}\s+(\S+)/.exec(line);
    if (m) total += Number(m[1]);
  }
  return total;
}

/** Drops every packet in and out of a client namespace (its cable is pulled), or restores it. */
function setNetwork(netns, up) {
  if (up) {
    execFileSync(IP, ['netns', 'exec', netns, NFT, 'delete', 'table', 'inet', 'tern_offline']);
    cutNetworks.delete(netns);
  } else {
    cutNetworks.add(netns);
    const rules = 'table inet tern_offline {\n' +
      '  chain in { type filter hook input priority -10; policy drop; }\n' +
      '  chain out { type filter hook output priority -10; policy drop; }\n}\n';
    execFileSync(IP, ['netns', 'exec', netns, NFT, '-f', '-'], { input: rules });
  }
  log(`network of ${netns} ${up ? 'restored' : 'cut'}`);
}

async function videoRate(p, seconds) {
  const first = (await p.stats())[0];
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const last = (await p.stats())[0];
  const elapsed = (Date.now() - t0) / 1000;
  return {
    kbps: Math.round(((last.videoBytesSent - first.videoBytesSent) * 8) / elapsed / 1000),
    frameHeightOut: last.frameHeightOut,
    seconds: elapsed,
  };
}

const scenarios = {
  /** Two browsers, relay only: both connect through Tern's relay and video flows both ways. */
  async pair() {
    const [a, b] = await join(['Ada', 'Lin'], { relay: true });
    const t0 = Date.now();
    await allConnected([a, b], 1);
    const connectMs = Date.now() - t0;
    await framesFlow([a, b], 30);
    return { connectMs, participants: await snapshot([a, b]), relayedBytes: await relayedBytes(a) };
  },

  /**
   * Two browsers, relay only, at quality low, through whichever TURN URL Tern hands out (the test
   * limits it to one transport with --signal-ice-url): both connect and video flows both ways.
   */
  async relayPair() {
    const [a, b] = await join(['Ada', 'Lin'], { relay: true, quality: 'low' });
    const t0 = Date.now();
    await allConnected([a, b], 1);
    const connectMs = Date.now() - t0;
    await framesFlow([a, b], 30);
    return { connectMs, participants: await snapshot([a, b]) };
  },

  /**
   * Three browsers: a full mesh, each with two connected peers and video from both; they start
   * direct (relay off, all on one bridge), then Sam turns Relay only on mid-call.
   */
  async mesh() {
    const list = await join(['Ada', 'Lin', 'Sam'], { relay: false, quality: 'low' });
    await allConnected(list, 2);
    await framesFlow(list, 20);
    const direct = await snapshot(list);
    await list[2].call('setRelay', true);
    await list[2].waitFor(
      "Sam's connections through Tern's relay",
      (s) => s.peers.length === 2 && s.peers.every((p) => p.connectionState === 'connected' && p.candidateType === 'relay'),
      15_000,
    );
    await framesFlow(list, 10);
    return { direct, participants: await snapshot(list) };
  },

  /** Camera off: the other side sees the state and frames stop; on: frames resume. */
  async video() {
    const [a, b] = await join(['Ada', 'Lin'], { relay: true, quality: 'low' });
    await allConnected([a, b], 1);
    await framesFlow([a, b], 15);
    const aId = (await a.state()).selfId;
    await a.call('setVideo', false);
    const offSeen = Date.now();
    await b.waitFor('Ada shown with camera off', (s) => s.peers[0]?.media.video === false, 5_000);
    const offSeenMs = Date.now() - offSeen;
    await sleep(1_000); // frames in flight
    const off0 = (await b.peer(aId)).framesDecoded;
    await sleep(3_000);
    const off1 = (await b.peer(aId)).framesDecoded;
    await a.call('setVideo', true);
    await b.waitFor('Ada shown with camera on', (s) => s.peers[0]?.media.video === true, 5_000);
    await b.waitFor('frames from Ada again', (s) => s.peers[0]?.framesDecoded >= off1 + 15, 10_000);
    const on1 = (await b.peer(aId)).framesDecoded;

    // Lin's Receive switch for Ada: Lin stops rendering, and Ada stops sending to her.
    await b.call('setReceive', aId, false);
    await a.waitFor('Ada no longer sends video to Lin', (s) => s.peers[0]?.videoBitrateOut === 0, 8_000);
    const r0 = (await b.peer(aId)).framesDecoded;
    const sent0 = (await a.stats())[0].videoBytesSent;
    await sleep(3_000);
    const r1 = (await b.peer(aId)).framesDecoded;
    const sent1 = (await a.stats())[0].videoBytesSent;
    await b.call('setReceive', aId, true);
    await b.waitFor('frames from Ada with Receive back on', (s) => s.peers[0]?.framesDecoded >= r1 + 15, 10_000);
    return {
      offSeenMs,
      framesWhileOff: off1 - off0,
      framesAfterOn: on1 - off1,
      receiveOff: { framesDecoded: r1 - r0, bytesAdaSent: sent1 - sent0 },
      participants: await snapshot([a, b]),
    };
  },

  /**
   * Lin's socket drops and her network is cut; back within the grace period she keeps her peer
   * id and media flows again. Then she is gone longer than the grace: Ada sees her leave, and
   * when she is back she joins again under a new id.
   */
  async offline() {
    const grace = cfg.grace;
    const [a, b] = await join(['Ada', 'Lin'], { relay: true, quality: 'low' });
    await allConnected([a, b], 1);
    await framesFlow([a, b], 15);
    const linId = (await b.state()).selfId;

    // 1. Offline for a moment (the app holds off reconnecting until the network is back).
    const shortHoldMs = 3_000;
    await b.call('dropSignaling', shortHoldMs);
    setNetwork(cfg.clients[1], false);
    const away = await a.waitFor('Lin shown as reconnecting', (s) => s.peers[0]?.away && s.peers[0]?.status === 'reconnecting', 5_000);
    const linAway = await b.waitFor('Lin sees herself reconnecting', (s) => s.reconnecting, 2_000);
    await sleep(shortHoldMs - 500);
    setNetwork(cfg.clients[1], true);
    const back = Date.now();
    const resumed = await b.waitFor('Lin resumed', (s) => s.joined, 10_000);
    await a.waitFor('Lin back (not away)', (s) => s.peers[0]?.id === linId && !s.peers[0].away, 5_000);
    await allConnected([a, b], 1);
    await framesFlow([a, b], 15);
    const recoveredMs = Date.now() - back;
    const shortOutage = {
      sameId: resumed.selfId === linId,
      adaSawAway: away.peers[0].status,
      linSawReconnecting: linAway.reconnecting,
      recoveredMs,
      adaEvents: (await a.events()).filter((e) => e.peer === linId).map((e) => e.type),
      linEvents: (await b.events()).map((e) => e.type),
    };

    // 2. Offline for longer than the grace period.
    const longHoldMs = (grace + 4) * 1000;
    await b.call('dropSignaling', longHoldMs);
    setNetwork(cfg.clients[1], false);
    const cut = Date.now();
    await a.waitFor('Lin gone after the grace period', (s) => s.peers.length === 0, (grace + 6) * 1000);
    const goneAfterMs = Date.now() - cut;
    setNetwork(cfg.clients[1], true);
    const rejoined = await b.waitFor('Lin in the room again', (s) => s.joined && s.selfId !== linId, longHoldMs + 10_000);
    await allConnected([a, b], 1);
    await framesFlow([a, b], 15);
    const leftEvent = (await a.events()).find((e) => e.type === 'peer-left' && e.peer === linId) ?? null;
    return {
      grace,
      linId,
      shortOutage,
      longOutage: { goneAfterMs, leftEvent, newId: rejoined.selfId },
      participants: await snapshot([a, b]),
    };
  },

  /**
   * Lin's socket is lost (she holds off reconnecting for a few seconds) when Sam joins: Sam is told
   * she is away and holds back his offer to her until she is back; then the three make a full mesh.
   */
  async awayNewcomer() {
    const [a, b] = await join(['Ada', 'Lin'], { relay: true, quality: 'low' });
    const samBrowser = await launchIn(cfg.clients[2], cfg.origin, cfg.chromiumArgs ?? []);
    browsers.push(samBrowser);
    const c = await Participant.open(samBrowser, 'Sam', `${cfg.origin}/?relay=1&quality=low`);
    participants.push(c);
    await allConnected([a, b], 1);
    const linId = (await b.state()).selfId;

    await b.call('dropSignaling', 4_000); // within the grace period
    await a.waitFor('Lin shown as away', (s) => s.peers[0]?.away, 5_000);
    await c.call('join', cfg.room, 'Sam');
    await c.waitFor('Sam joined with two peers', (s) => s.joined && s.peers.length === 2, 5_000);
    await sleep(1_000); // an eager offer would have been made by now
    const linSeenBySam = await c.peer(linId);
    const linStillAway = (await a.peer(linId)).away;
    await b.waitFor('Lin resumed', (s) => s.joined, 10_000);
    await allConnected([a, b, c], 2);
    return {
      linId,
      linSeenBySam,
      linStillAway,
      samEvents: (await c.events()).filter((e) => e.peer === linId).map((e) => e.type),
      participants: await snapshot([a, b, c]),
    };
  },

  /** Preferred quality low caps the video sent; high on the other side for comparison. */
  async quality() {
    const [a, b] = await join(['Low', 'High'], { relay: true, quality: 'low' });
    await b.call('setQuality', 'high');
    await allConnected([a, b], 1);
    await framesFlow([a, b], 15);
    await sleep(2_000); // past the bandwidth estimator's start-up
    const [low, high] = await Promise.all([videoRate(a, 6), videoRate(b, 6)]);
    return { low, high, participants: await snapshot([a, b]) };
  },

  /**
   * Two browsers that must NOT connect within `boundMs`: behind symmetric NATs with STUN only, or
   * (`relay: true`) relay-only through a TURN server they cannot use.
   */
  async neverConnects() {
    const [a, b] = await join(['Ada', 'Lin'], { relay: cfg.relay === true, quality: 'low' });
    const boundMs = cfg.boundMs ?? 10_000;
    const seen = new Set();
    const deadline = Date.now() + boundMs;
    while (Date.now() < deadline) {
      for (const s of await Promise.all([a.state(), b.state()])) {
        for (const p of s.peers) seen.add(p.connectionState);
      }
      await sleep(250);
    }
    return { boundMs, statesSeen: [...seen].sort(), participants: await snapshot([a, b]) };
  },

  /** The same two browsers with Tern's TURN in iceServers: they connect and media flows. */
  async natTurn() {
    const [a, b] = await join(['Ada', 'Lin'], { relay: false, quality: 'low' });
    const t0 = Date.now();
    await allConnected([a, b], 1);
    const connectMs = Date.now() - t0;
    await framesFlow([a, b], 30);
    return { connectMs, participants: await snapshot([a, b]) };
  },
};

async function main() {
  const run = scenarios[cfg.scenario];
  if (!run) throw new StepFailed(`unknown scenario ${cfg.scenario}; known: ${Object.keys(scenarios).join(', ')}`);
  const started = Date.now();
  const result = await run();
  const consoleErrors = Object.fromEntries(participants.map((p) => [p.label, p.consoleErrors]));
  return { ok: true, scenario: cfg.scenario, ms: Date.now() - started, consoleErrors, ...result };
}

const limit = setTimeout(() => {
  for (const netns of [...cutNetworks]) setNetwork(netns, true);
  process.stdout.write(`\n${JSON.stringify({ ok: false, error: `scenario ${cfg.scenario} took over ${cfg.timeoutMs} ms` })}\n`);
  process.exit(1);
}, cfg.timeoutMs ?? 120_000);

let exitCode = 0;
let out;
try {
  out = await main();
} catch (err) {
  exitCode = 1;
  let states = null;
  try {
    states = await Promise.all(participants.map(async (p) => ({ name: p.label, state: await p.state(), events: await p.events() })));
  } catch {
    // the page is gone too
  }
  out = {
    ok: false,
    scenario: cfg.scenario,
    error: err.message,
    detail: err.detail ?? null,
    states,
    consoleErrors: Object.fromEntries(participants.map((p) => [p.label, p.consoleErrors])),
  };
} finally {
  await Promise.allSettled(browsers.map((b) => b.close()));
  for (const netns of [...cutNetworks]) setNetwork(netns, true);
  clearTimeout(limit);
}
process.stdout.write(`\n${JSON.stringify(out)}\n`);
process.exitCode = exitCode;
