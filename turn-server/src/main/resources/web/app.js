// Tern's demo: a mesh video call for up to six people over Tern's signaling relay
// (docs/signaling.md) and Tern's STUN/TURN. Plain modern JavaScript, no build step.
//
// Each pair of participants has one RTCPeerConnection with one audio and one video transceiver.
// The participant who joins later sends the first offer (the protocol's rule; to a participant
// listed as away, only once it is back); after that either side may renegotiate (receive switch,
// ICE restart), and glare is settled with the "perfect negotiation" pattern: the participant who
// was there first is the polite one.
//
// window.tern is a small API for scripts and tests; see the bottom of this file.

/** Caps per sender. The capture asks for `height` too, so the encoder does not scale much. */
const QUALITY = {
  low: { maxBitrate: 150_000, height: 180, maxFramerate: 15 },
  medium: { maxBitrate: 600_000, height: 360, maxFramerate: 30 },
  high: { maxBitrate: 1_500_000, height: 720, maxFramerate: 30 },
};
const MAX_PARTICIPANTS = 6;
const HEARTBEAT_MS = 5_000; // app-level ping while joined
const SILENCE_MS = 15_000; // nothing heard for this long: the socket is dead even if TCP has not noticed
const CONNECT_TIMEOUT_MS = 5_000;
const MAX_BACKOFF_MS = 5_000;
const OUTBOX_LIMIT = 256; // peer messages kept while the socket is down, sent after `resumed`
const EVENT_LIMIT = 200;

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);

const settings = {
  quality: Object.hasOwn(QUALITY, query.get('quality') ?? '') ? query.get('quality') : 'medium',
  relay: query.get('relay') === '1',
};

const local = { stream: new MediaStream(), audioTrack: null, videoTrack: null, audioOn: true, videoOn: true };

const call = {
  active: false, // between Join and Leave: keep (re)connecting
  joined: false, // the server has us in the room
  reconnecting: false,
  room: '',
  name: '',
  token: query.get('token'),
  selfId: null,
  resumeToken: null,
  grace: 30,
  iceServers: [],
  ws: null,
  attempts: 0,
  reconnectTimer: 0,
  heartbeatTimer: 0,
  lastHeard: 0,
  holdUntil: 0,
  outbox: [],
};

/** @type {Map<string, Peer>} remote participants by peer id */
const peers = new Map();
const events = [];

// ---------------------------------------------------------------------------------------------
// Status line and errors (shown on the page; console.warn only, so a healthy call logs no errors)

function setStatus(text, isError = false) {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('error', isError);
}

function report(context, err) {
  const message = err && err.message ? err.message : String(err);
  setStatus(`${context}: ${message}`, true);
  console.warn(`tern: ${context}`, err);
}

function logEvent(type, fields = {}) {
  events.push({ t: Date.now(), type, ...fields });
  if (events.length > EVENT_LIMIT) events.shift();
}

// ---------------------------------------------------------------------------------------------
// Local media

function videoConstraints() {
  const q = QUALITY[settings.quality];
  return {
    height: { ideal: q.height },
    width: { ideal: Math.round((q.height * 16) / 9) },
    frameRate: { ideal: q.maxFramerate },
  };
}

function mediaState() {
  return {
    audio: Boolean(local.audioTrack) && local.audioOn,
    video: Boolean(local.videoTrack) && local.videoOn,
  };
}

async function startMedia() {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: videoConstraints() });
    local.audioTrack = stream.getAudioTracks()[0] ?? null;
    local.videoTrack = stream.getVideoTracks()[0] ?? null;
  } catch (err) {
    // Still useful without a camera: watch and listen to the others.
    local.audioTrack = null;
    local.videoTrack = null;
    setStatus(`No camera or microphone (${err.name}); joining to watch only`, true);
  }
  local.audioOn = Boolean(local.audioTrack);
  local.videoOn = Boolean(local.videoTrack);
  refreshLocalStream();
}

function stopMedia() {
  for (const t of [local.audioTrack, local.videoTrack]) t?.stop();
  local.audioTrack = null;
  local.videoTrack = null;
  refreshLocalStream();
}

function refreshLocalStream() {
  local.stream = new MediaStream([local.audioTrack, local.videoTrack].filter(Boolean));
  const video = $('local-video');
  video.srcObject = local.videoTrack ? local.stream : null;
  if (local.videoTrack) video.play().catch(() => {});
  renderSelf();
}

async function setAudio(on) {
  if (!local.audioTrack) return false;
  local.audioOn = on;
  local.audioTrack.enabled = on;
  renderSelf();
  send({ type: 'media', ...mediaState() });
  return true;
}

/** Camera off stops the camera and sends no video at all; on captures again. */
async function setVideo(on) {
  if (on === local.videoOn) return true;
  if (!on) {
    local.videoTrack?.stop();
    local.videoTrack = null;
    local.videoOn = false;
  } else {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: videoConstraints() });
      local.videoTrack = stream.getVideoTracks()[0];
      local.videoOn = true;
    } catch (err) {
      report('Camera', err);
      return false;
    }
  }
  refreshLocalStream();
  await Promise.all(
    [...peers.values()].map(async (p) => {
      if (!p.video || p.closed) return;
      try {
        await p.video.sender.replaceTrack(local.videoTrack);
        await applyQuality(p);
      } catch (err) {
        report(`Camera for ${p.name}`, err);
      }
    }),
  );
  send({ type: 'media', ...mediaState() });
  return true;
}

async function setQuality(quality) {
  if (!Object.hasOwn(QUALITY, quality)) return false;
  settings.quality = quality;
  $('quality').value = quality;
  if (local.videoTrack) {
    try {
      await local.videoTrack.applyConstraints(videoConstraints());
    } catch (err) {
      console.warn('tern: camera ignored the new size', err);
    }
  }
  await Promise.all([...peers.values()].map(applyQuality));
  return true;
}

/** Caps the video sender to the preferred quality: bitrate, resolution and frame rate. */
async function applyQuality(p) {
  const transceiver = p.video;
  if (!transceiver || p.closed) return;
  const q = QUALITY[settings.quality];
  const params = transceiver.sender.getParameters();
  if (!params.encodings || params.encodings.length === 0) return; // not negotiated yet
  const height = local.videoTrack?.getSettings().height;
  const scale = height ? Math.max(1, height / q.height) : 1;
  const enc = params.encodings[0];
  if (enc.maxBitrate === q.maxBitrate && enc.scaleResolutionDownBy === scale && enc.maxFramerate === q.maxFramerate) {
    return;
  }
  enc.maxBitrate = q.maxBitrate;
  enc.scaleResolutionDownBy = scale;
  enc.maxFramerate = q.maxFramerate;
  try {
    await transceiver.sender.setParameters(params);
  } catch (err) {
    report(`Quality for ${p.name}`, err);
  }
}

function initialEncoding() {
  const q = QUALITY[settings.quality];
  const height = local.videoTrack?.getSettings().height;
  return { maxBitrate: q.maxBitrate, maxFramerate: q.maxFramerate, scaleResolutionDownBy: height ? Math.max(1, height / q.height) : 1 };
}

/**
 * A new transport policy needs new ICE agents: changing it on a running connection and
 * restarting ICE did not move Chromium off its old pair. So each connection is renewed.
 */
function setRelay(on) {
  settings.relay = Boolean(on);
  $('relay').checked = settings.relay;
  for (const p of peers.values()) if (p.pc) enqueue(p, () => renewPc(p));
}

// ---------------------------------------------------------------------------------------------
// Signaling: one WebSocket to /signal, resumed after a loss within the grace period

function signalUrl() {
  const url = new URL('/signal', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

function send(msg) {
  const ws = call.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN || !call.joined) return false;
  ws.send(JSON.stringify(msg));
  return true;
}

/**
 * Peer messages survive a lost socket: the server queues what comes in, the outbox what goes out.
 * Each payload says which of our connections sent it (`epoch`) and which of theirs it is for
 * (`peerEpoch`), so nothing meant for a replaced RTCPeerConnection reaches its successor.
 */
function sendToPeer(type, p, payload) {
  const msg = { type, to: p.id, payload: { ...payload, epoch: p.epoch, peerEpoch: p.remoteEpoch } };
  if (send(msg)) return;
  call.outbox.push(msg);
  if (call.outbox.length > OUTBOX_LIMIT) call.outbox.shift();
}

function openSocket() {
  clearTimeout(call.reconnectTimer);
  const ws = new WebSocket(signalUrl());
  call.ws = ws;
  const connectTimer = setTimeout(() => {
    if (ws.readyState !== WebSocket.OPEN) lostSocket(ws);
  }, CONNECT_TIMEOUT_MS);
  ws.onopen = () => {
    clearTimeout(connectTimer);
    call.lastHeard = Date.now();
    const msg = call.resumeToken
      ? { type: 'resume', token: call.resumeToken }
      : { type: 'join', room: call.room, name: call.name, media: mediaState(), ...(call.token ? { token: call.token } : {}) };
    ws.send(JSON.stringify(msg));
  };
  ws.onmessage = (event) => {
    if (ws !== call.ws) return;
    call.lastHeard = Date.now();
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch {
      return;
    }
    if (msg && typeof msg.type === 'string') onSignal(msg);
  };
  ws.onclose = () => {
    clearTimeout(connectTimer);
    lostSocket(ws);
  };
}

function closeSocket(ws) {
  ws.onopen = ws.onmessage = ws.onclose = null;
  if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
}

function lostSocket(ws) {
  if (ws !== call.ws) return;
  call.ws = null;
  closeSocket(ws);
  if (!call.active) return;
  if (call.joined) {
    call.joined = false;
    call.reconnecting = true;
    logEvent('socket-lost');
    setStatus('Connection to the server lost; reconnecting…');
    renderAll();
  }
  const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** call.attempts) * (0.75 + Math.random() / 2);
  call.attempts += 1;
  call.reconnectTimer = setTimeout(openSocket, Math.max(backoff, call.holdUntil - Date.now()));
}

function heartbeat() {
  const ws = call.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN || !call.joined) return;
  if (Date.now() - call.lastHeard > SILENCE_MS) {
    lostSocket(ws);
  } else {
    send({ type: 'ping' });
  }
}

function onSignal(msg) {
  switch (msg.type) {
    case 'joined':
    case 'resumed':
      onJoined(msg, msg.type === 'resumed');
      break;
    case 'peer-joined':
      logEvent('peer-joined', { peer: msg.peer?.id });
      if (msg.peer?.id) addPeer(msg.peer, false);
      break;
    case 'peer-left':
      logEvent('peer-left', { peer: msg.peer, reason: msg.reason });
      removePeer(msg.peer);
      break;
    case 'peer-away':
    case 'peer-back': {
      logEvent(msg.type, { peer: msg.peer });
      const p = peers.get(msg.peer);
      if (p) {
        p.away = msg.type === 'peer-away';
        offerIfBack(p);
        render(p);
      }
      break;
    }
    case 'media': {
      logEvent('media', { peer: msg.peer, audio: msg.audio, video: msg.video });
      const p = peers.get(msg.peer);
      if (p) {
        p.media = { audio: Boolean(msg.audio), video: Boolean(msg.video) };
        render(p);
      }
      break;
    }
    case 'offer':
    case 'answer':
    case 'candidate': {
      const p = peers.get(msg.from) ?? addPeer({ id: msg.from, name: '…' }, false);
      enqueue(p, () => onPeerSignal(p, msg));
      break;
    }
    case 'error':
      onError(msg);
      break;
    default:
      break; // pong, and types a newer server may add
  }
}

function onJoined(msg, resumed) {
  call.joined = true;
  call.reconnecting = false;
  call.attempts = 0;
  call.selfId = msg.self;
  call.resumeToken = msg.resume;
  call.grace = msg.grace ?? call.grace;
  call.iceServers = Array.isArray(msg.iceServers) ? msg.iceServers : [];
  const others = Array.isArray(msg.peers) ? msg.peers : [];
  logEvent(msg.type, { self: msg.self });
  setStatus(`In room “${msg.room}” as ${call.name}`);
  if (!resumed) {
    call.outbox = [];
    if (others.length >= MAX_PARTICIPANTS) {
      stopCall(`Room “${msg.room}” already has ${others.length} people; this demo's mesh is for up to ${MAX_PARTICIPANTS}`, true);
      return;
    }
    for (const info of others) addPeer(info, true); // we are the newcomer: we offer
  } else {
    const present = new Set(others.map((info) => info.id));
    for (const id of [...peers.keys()]) if (!present.has(id)) removePeer(id);
    for (const info of others) {
      const p = peers.get(info.id) ?? addPeer(info, false);
      p.name = info.name ?? p.name;
      if (info.media) p.media = { audio: Boolean(info.media.audio), video: Boolean(info.media.video) };
      p.away = info.away === true;
      offerIfBack(p);
    }
    const outbox = call.outbox.splice(0);
    for (const m of outbox) if (peers.has(m.to)) send(m);
    // Our network may have changed while we were away: new ICE credentials and candidates.
    for (const p of peers.values()) restartIce(p);
  }
  send({ type: 'media', ...mediaState() });
  renderAll();
}

function onError(msg) {
  logEvent('error', { code: msg.code, ref: msg.ref });
  switch (msg.code) {
    case 'resume-failed':
      // Too late (or the server restarted): start over under a new peer id.
      closeAllPeers();
      call.resumeToken = null;
      setStatus('Rejoining the room…');
      if (call.ws?.readyState === WebSocket.OPEN) {
        call.ws.send(JSON.stringify({ type: 'join', room: call.room, name: call.name, media: mediaState(), ...(call.token ? { token: call.token } : {}) }));
      }
      break;
    case 'room-full':
    case 'too-many-rooms':
    case 'bad-token':
    case 'bad-message':
      if (!call.joined) stopCall(`The server refused to join: ${msg.message ?? msg.code}`, true);
      else setStatus(`Server: ${msg.message ?? msg.code}`, true);
      break;
    case 'unknown-peer':
      break; // that participant has just left
    default:
      setStatus(`Server: ${msg.message ?? msg.code}`, true);
  }
}

// ---------------------------------------------------------------------------------------------
// Peers

/**
 * @typedef {object} Peer
 * @property {string} id
 * @property {string} name
 * @property {{audio: boolean, video: boolean}} media
 * @property {RTCPeerConnection|null} pc
 * @property {boolean} polite  true when we were in the room first
 * @property {boolean} offerWhenBack  we owe it the first offer, but it was away when we joined
 * @property {RTCRtpTransceiver|null} audio
 * @property {RTCRtpTransceiver|null} video
 */

function addPeer(info, weOffer) {
  const existing = peers.get(info.id);
  if (existing) return existing;
  const p = {
    id: info.id,
    name: info.name ?? '…',
    media: { audio: info.media?.audio ?? true, video: info.media?.video ?? true },
    pc: null,
    epoch: 0, // our RTCPeerConnection for this peer: the first is 1, each renewal adds one
    remoteEpoch: null, // theirs, as their messages say
    renewing: false, // our renewal offer is unanswered
    polite: !weOffer,
    ignoreOffer: false,
    receive: true,
    away: info.away === true, // within its grace period when we joined: an offer would only wait
    offerWhenBack: false,
    closed: false,
    stream: new MediaStream(),
    audio: null,
    video: null,
    chain: Promise.resolve(),
    stats: emptyStats(),
    prev: null,
    tile: null,
  };
  peers.set(p.id, p);
  createTile(p);
  if (weOffer && p.away) {
    p.offerWhenBack = true;
    logEvent('offer-deferred', { peer: p.id });
  } else if (weOffer) {
    addTransceivers(createPc(p), p); // negotiationneeded fires and sends the offer
  }
  render(p);
  return p;
}

/** Sends the first offer we held back from a peer that was away, now that it is back. */
function offerIfBack(p) {
  if (!p.offerWhenBack || p.away || !call.joined) return;
  p.offerWhenBack = false;
  if (!p.pc) addTransceivers(createPc(p), p); // unless it offered first after all
}

function addTransceivers(pc, p) {
  const direction = p.receive ? 'sendrecv' : 'sendonly';
  p.audio = pc.addTransceiver(local.audioTrack ?? 'audio', { direction });
  p.video = pc.addTransceiver(local.videoTrack ?? 'video', { direction, sendEncodings: [initialEncoding()] });
}

function pcConfig() {
  return { iceServers: call.iceServers, iceTransportPolicy: settings.relay ? 'relay' : 'all' };
}

function createPc(p) {
  const pc = new RTCPeerConnection(pcConfig());
  p.pc = pc;
  p.epoch += 1;
  p.audio = null;
  p.video = null;
  p.prev = null;
  const current = () => p.pc === pc && !p.closed;
  pc.onicecandidate = ({ candidate }) => {
    if (candidate && current()) sendToPeer('candidate', p, candidate.toJSON());
  };
  pc.onnegotiationneeded = () => enqueue(p, () => (current() ? makeOffer(p) : undefined));
  pc.ontrack = ({ track }) => {
    if (!current()) return;
    p.stream.addTrack(track);
    track.enabled = p.receive;
    attachRemote(p);
  };
  pc.onconnectionstatechange = () => {
    if (!current()) return;
    logEvent('connection', { peer: p.id, state: pc.connectionState });
    // The impolite side restarts a failed connection (both doing it would only collide).
    if (pc.connectionState === 'failed' && !p.polite && call.joined) restartIce(p);
    render(p);
  };
  return pc;
}

/** Runs one signaling step for a peer after the previous one: descriptions must not interleave. */
function enqueue(p, step) {
  p.chain = p.chain
    .then(() => (p.closed ? undefined : step()))
    .catch((err) => {
      if (!p.closed) report(`Connection to ${p.name}`, err);
    });
}

async function makeOffer(p) {
  const pc = p.pc;
  if (pc.signalingState !== 'stable') return; // negotiationneeded fires again once stable
  await pc.setLocalDescription();
  const { type, sdp } = pc.localDescription;
  // `renew` tells the other side to replace its connection with a new one for this offer.
  sendToPeer('offer', p, p.renewing ? { type, sdp, renew: true } : { type, sdp });
}

/** Replaces the connection to a peer with a new one (new ICE agent and policy) and offers. */
function renewPc(p) {
  p.pc?.close();
  p.stream = new MediaStream();
  attachRemote(p);
  addTransceivers(createPc(p), p);
  p.renewing = true;
  logEvent('renew', { peer: p.id });
  render(p);
}

async function onPeerSignal(p, msg) {
  const payload = msg.payload;
  if (!payload || typeof payload !== 'object') return;
  const renew = msg.type === 'offer' && payload.renew === true;
  if (!renew) {
    // Meant for, or sent by, a connection that has been replaced since.
    if (payload.peerEpoch != null && payload.peerEpoch !== p.epoch) return;
    if (payload.epoch != null && p.remoteEpoch != null && payload.epoch < p.remoteEpoch) return;
  }
  if (msg.type === 'candidate') {
    if (!p.pc || !p.pc.remoteDescription) return;
    try {
      await p.pc.addIceCandidate(payload);
    } catch (err) {
      console.warn('tern: candidate not added', err); // one candidate less; ICE goes on
    }
    return;
  }
  if ((payload.type !== 'offer' && payload.type !== 'answer') || typeof payload.sdp !== 'string') return;
  if (renew) {
    // Both renewing at once: the impolite side's offer wins, as in any collision.
    if (!p.polite && p.renewing && p.pc?.signalingState === 'have-local-offer') return;
    if (p.pc) {
      p.pc.close();
      p.pc = null;
      p.stream = new MediaStream();
      attachRemote(p);
    }
    p.renewing = false;
  }
  if (!p.pc) {
    if (payload.type !== 'offer') return;
    createPc(p);
  }
  if (payload.epoch != null) p.remoteEpoch = payload.epoch;
  const pc = p.pc;
  const collision = payload.type === 'offer' && pc.signalingState !== 'stable';
  p.ignoreOffer = !p.polite && collision;
  if (p.ignoreOffer) return;
  if (payload.type === 'answer' && pc.signalingState !== 'have-local-offer') return; // stale
  const description = { type: payload.type, sdp: payload.sdp };
  await pc.setRemoteDescription(description); // a polite peer's own offer is rolled back here
  if (payload.type === 'answer') p.renewing = false;
  if (payload.type === 'offer') {
    await adoptTransceivers(p);
    await pc.setLocalDescription();
    sendToPeer('answer', p, { type: pc.localDescription.type, sdp: pc.localDescription.sdp });
  }
  await applyQuality(p);
}

/** On the answering side, the offer created the transceivers: send our tracks on them. */
async function adoptTransceivers(p) {
  for (const t of p.pc.getTransceivers()) {
    const kind = t.receiver.track.kind;
    if (kind === 'audio' && !p.audio) p.audio = t;
    else if (kind === 'video' && !p.video) p.video = t;
    else continue;
    t.direction = p.receive ? 'sendrecv' : 'sendonly';
    await t.sender.replaceTrack(kind === 'audio' ? local.audioTrack : local.videoTrack);
  }
}

function restartIce(p) {
  if (!p.pc || p.closed) return;
  try {
    p.pc.setConfiguration(pcConfig());
  } catch (err) {
    report(`Settings for ${p.name}`, err);
  }
  logEvent('ice-restart', { peer: p.id });
  p.pc.restartIce(); // negotiationneeded: an offer with new ICE credentials
}

/** The per-participant switch: stop rendering and ask the other side to stop sending. */
function setReceive(p, on) {
  p.receive = Boolean(on);
  for (const t of [p.audio, p.video]) {
    if (!t) continue;
    t.receiver.track.enabled = p.receive;
    if (t.currentDirection !== 'stopped') t.direction = p.receive ? 'sendrecv' : 'sendonly';
  }
  attachRemote(p);
  render(p);
}

function removePeer(id) {
  const p = peers.get(id);
  if (!p) return;
  p.closed = true;
  p.pc?.close();
  p.tile?.remove();
  peers.delete(id);
}

function closeAllPeers() {
  for (const id of [...peers.keys()]) removePeer(id);
}

// ---------------------------------------------------------------------------------------------
// Joining and leaving

async function startCall(room, name) {
  if (call.active) return;
  call.active = true;
  call.room = room;
  call.name = name;
  call.resumeToken = null;
  call.selfId = null;
  call.holdUntil = 0;
  $('join-form').hidden = true;
  $('call').hidden = false;
  document.body.classList.add('in-call');
  setStatus('Starting camera…');
  await startMedia();
  if (!call.active) return;
  setStatus(`Joining “${room}”…`);
  openSocket();
  call.heartbeatTimer = setInterval(heartbeat, HEARTBEAT_MS);
}

function stopCall(reason, isError = false) {
  if (!call.active) return;
  if (call.joined) send({ type: 'leave' });
  call.active = false;
  call.joined = false;
  call.reconnecting = false;
  clearTimeout(call.reconnectTimer);
  clearInterval(call.heartbeatTimer);
  if (call.ws) closeSocket(call.ws);
  call.ws = null;
  closeAllPeers();
  stopMedia();
  $('call').hidden = true;
  $('join-form').hidden = false;
  document.body.classList.remove('in-call');
  setStatus(reason, isError);
}

// ---------------------------------------------------------------------------------------------
// Stats, once a second

function emptyStats() {
  return {
    candidateType: null,
    remoteCandidateType: null,
    relayProtocol: null,
    remoteAddress: null,
    rtt: null,
    bytesReceived: 0,
    bytesSent: 0,
    videoBytesReceived: 0,
    videoBytesSent: 0,
    framesDecoded: 0,
    framesSent: 0,
    frameHeightIn: 0,
    frameHeightOut: 0,
    bitrateIn: 0,
    bitrateOut: 0,
    videoBitrateOut: 0,
    maxBitrate: null,
    localCandidateTypes: [],
  };
}

async function collectStats(p) {
  const report = await p.pc.getStats();
  const s = emptyStats();
  let pair = null;
  const localTypes = new Set();
  for (const r of report.values()) {
    if (r.type === 'transport' && r.selectedCandidatePairId) pair = report.get(r.selectedCandidatePairId) ?? pair;
    else if (r.type === 'local-candidate') localTypes.add(r.candidateType);
    else if (r.type === 'inbound-rtp') {
      s.bytesReceived += r.bytesReceived ?? 0;
      if (r.kind === 'video') {
        s.videoBytesReceived += r.bytesReceived ?? 0;
        s.framesDecoded += r.framesDecoded ?? 0;
        s.frameHeightIn = r.frameHeight ?? s.frameHeightIn;
      }
    } else if (r.type === 'outbound-rtp') {
      s.bytesSent += r.bytesSent ?? 0;
      if (r.kind === 'video') {
        s.videoBytesSent += r.bytesSent ?? 0;
        s.framesSent += r.framesSent ?? 0;
        s.frameHeightOut = r.frameHeight ?? s.frameHeightOut;
      }
    }
  }
  const localCandidate = pair && report.get(pair.localCandidateId);
  const remoteCandidate = pair && report.get(pair.remoteCandidateId);
  s.candidateType = localCandidate?.candidateType ?? null;
  s.relayProtocol = localCandidate?.relayProtocol ?? null;
  s.remoteCandidateType = remoteCandidate?.candidateType ?? null;
  s.remoteAddress = remoteCandidate?.address ? `${remoteCandidate.address}:${remoteCandidate.port}` : null;
  s.rtt = pair?.currentRoundTripTime ?? null;
  s.localCandidateTypes = [...localTypes].sort();
  s.maxBitrate = p.video?.sender.getParameters().encodings?.[0]?.maxBitrate ?? null;
  const now = performance.now();
  const prev = p.prev;
  if (prev) {
    const seconds = (now - prev.at) / 1000;
    const rate = (a, b) => (seconds > 0 ? Math.max(0, Math.round(((a - b) * 8) / seconds)) : 0);
    s.bitrateIn = rate(s.bytesReceived, prev.bytesReceived);
    s.bitrateOut = rate(s.bytesSent, prev.bytesSent);
    s.videoBitrateOut = rate(s.videoBytesSent, prev.videoBytesSent);
  }
  p.prev = { at: now, bytesReceived: s.bytesReceived, bytesSent: s.bytesSent, videoBytesSent: s.videoBytesSent };
  return s;
}

let statsBusy = false;
async function statsTick() {
  if (statsBusy) return;
  statsBusy = true;
  try {
    await Promise.all(
      [...peers.values()].map(async (p) => {
        if (!p.pc || p.closed) return;
        try {
          p.stats = await collectStats(p);
        } catch {
          // closed in the meantime
        }
        renderStats(p);
      }),
    );
  } finally {
    statsBusy = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

function initials(name) {
  const words = String(name).trim().split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[1][0] : (words[0] ?? '?').slice(0, 2)).toUpperCase();
}

function createTile(p) {
  const tile = $('tile-template').content.firstElementChild.cloneNode(true);
  tile.dataset.peer = p.id;
  const toggle = tile.querySelector('.switch input');
  toggle.addEventListener('change', () => setReceive(p, toggle.checked));
  const unmute = tile.querySelector('.unmute');
  unmute.addEventListener('click', () => {
    const video = tile.querySelector('video');
    video.muted = false;
    video.play().then(() => {
      unmute.hidden = true;
    }, () => {});
  });
  $('tiles').append(tile);
  p.tile = tile;
}

function attachRemote(p) {
  const video = p.tile?.querySelector('video');
  if (!video) return;
  const want = p.receive ? p.stream : null;
  if (video.srcObject !== want) video.srcObject = want;
  if (!want) return;
  video.play().catch(() => {
    // Autoplay with sound needs a click first: play muted and offer a button.
    video.muted = true;
    p.tile.querySelector('.unmute').hidden = false;
    video.play().catch(() => {});
  });
}

function peerStatus(p) {
  const state = p.pc?.connectionState ?? 'new';
  if (call.reconnecting || p.away || state === 'disconnected' || state === 'failed') return 'reconnecting';
  if (state === 'connected') return 'connected';
  return 'connecting';
}

function mediaText(media) {
  return `mic ${media.audio ? 'on' : 'off'} · camera ${media.video ? 'on' : 'off'}`;
}

function render(p) {
  const tile = p.tile;
  if (!tile) return;
  const status = peerStatus(p);
  tile.querySelector('.name').textContent = p.name;
  tile.querySelector('.media').textContent = mediaText(p.media);
  const state = tile.querySelector('.state');
  state.textContent = p.away ? 'reconnecting (away)' : status;
  state.className = `state ${status}`;
  tile.classList.toggle('no-video', !p.media.video || !p.receive);
  tile.querySelector('.placeholder').textContent = p.receive ? initials(p.name) : 'Paused';
  const toggle = tile.querySelector('.switch input');
  toggle.checked = p.receive;
  toggle.setAttribute('aria-label', `Receive ${p.name}'s audio and video`);
  tile.querySelector('video').setAttribute('aria-label', `${p.name}'s video`);
  tile.setAttribute('aria-label', `${p.name}, ${status}`);
}

function kbps(bits) {
  return bits >= 1_000_000 ? `${(bits / 1_000_000).toFixed(1)} Mbps` : `${Math.round(bits / 1000)} kbps`;
}

function renderStats(p) {
  render(p);
  const s = p.stats;
  const parts = [`↓ ${kbps(s.bitrateIn)}`, `↑ ${kbps(s.bitrateOut)}`];
  if (s.rtt !== null) parts.push(`RTT ${Math.round(s.rtt * 1000)} ms`);
  if (s.candidateType) {
    const via = s.candidateType === 'relay' ? `relay (${s.relayProtocol ?? '?'})` : s.candidateType;
    parts.push(`${via} → ${s.remoteCandidateType ?? '?'}`);
  }
  p.tile.querySelector('.stats').textContent = parts.join(' · ');
}

function renderSelf() {
  $('self-name').textContent = call.name ? `${call.name} (you)` : 'You';
  $('self-media').textContent = mediaText(mediaState());
  const tile = $('self-tile');
  tile.classList.toggle('no-video', !mediaState().video);
  tile.querySelector('.placeholder').textContent = initials(call.name || 'You');
  const mic = $('mic');
  mic.disabled = !local.audioTrack;
  mic.setAttribute('aria-pressed', String(mediaState().audio));
  mic.textContent = mediaState().audio ? 'Microphone on' : 'Microphone off';
  const cam = $('cam');
  cam.setAttribute('aria-pressed', String(local.videoOn));
  cam.textContent = local.videoOn ? 'Camera on' : 'Camera off';
}

function renderAll() {
  renderSelf();
  for (const p of peers.values()) render(p);
}

// ---------------------------------------------------------------------------------------------
// Page wiring

function wire() {
  $('quality').value = settings.quality;
  $('relay').checked = settings.relay;
  $('room').value = query.get('room') ?? '';
  $('name').value = query.get('name') ?? '';
  $('quality').addEventListener('change', (e) => setQuality(e.target.value));
  $('relay').addEventListener('change', (e) => setRelay(e.target.checked));
  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const room = $('room').value.trim();
    const name = $('name').value.trim();
    const url = new URL(location.href);
    url.searchParams.set('room', room);
    history.replaceState(null, '', url);
    startCall(room, name);
  });
  $('mic').addEventListener('click', () => setAudio(!local.audioOn));
  $('cam').addEventListener('click', () => setVideo(!local.videoOn));
  $('leave').addEventListener('click', () => stopCall('You left the call'));
  window.addEventListener('pagehide', () => {
    if (call.joined) send({ type: 'leave' });
  });
  window.addEventListener('online', () => {
    // Back on the network: try now instead of waiting for the backoff.
    if (call.active && !call.ws) openSocket();
  });
  setInterval(statsTick, 1000);
  renderSelf();
  if (query.get('autojoin') === '1' && $('room').checkValidity() && $('name').checkValidity()) {
    startCall($('room').value.trim(), $('name').value.trim());
  }
}

// ---------------------------------------------------------------------------------------------
// Scripting API (tests use it; handy in the console too)

window.tern = Object.freeze({
  /** A snapshot: {joined, selfId, peers: [{id, name, media, connectionState, candidateType, bytesReceived, ...}]}. */
  state() {
    return {
      joined: call.joined,
      selfId: call.selfId,
      reconnecting: call.reconnecting,
      room: call.room,
      quality: settings.quality,
      relay: settings.relay,
      media: mediaState(),
      iceUrls: call.iceServers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls])),
      peers: [...peers.values()].map((p) => ({
        id: p.id,
        name: p.name,
        media: { ...p.media },
        connectionState: p.pc?.connectionState ?? 'new',
        iceConnectionState: p.pc?.iceConnectionState ?? 'new',
        status: peerStatus(p),
        away: p.away,
        signalingState: p.pc?.signalingState ?? 'none',
        receive: p.receive,
        ...p.stats,
      })),
    };
  },
  /** Fresh getStats() figures per peer. */
  async stats() {
    await statsTick();
    return this.state().peers;
  },
  events: () => events.map((e) => ({ ...e })),
  join: (room, name) => startCall(room, name),
  leave: () => stopCall('You left the call'),
  setAudio,
  setVideo,
  setQuality,
  setRelay,
  setReceive(peerId, on) {
    const p = peers.get(peerId);
    if (!p) return false;
    setReceive(p, on);
    return true;
  },
  /** Loses the signaling socket as a network failure would; reconnects no sooner than holdMs from now. */
  dropSignaling(holdMs = 0) {
    call.holdUntil = Date.now() + holdMs;
    if (call.ws) lostSocket(call.ws);
  },
});

wire();
