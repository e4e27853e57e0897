// Cobot Chat page: rooms, messages, composer (SPEC 8 protocol), wiring of the directory and admin views.
// Reads the page token from <meta name="page-token">, trades it for a WebSocket ticket at
// POST /api/ws-ticket and connects to /ws; see chat-connection.js for reconnects and close codes.
(function () {
  'use strict';

  var CC = window.CobotChat;
  var root = document.getElementById('chat');
  if (!CC || !root) {
    return;
  }
  var t = CC.t;
  var el = CC.el;
  var byId = CC.byId;

  var MAX_TEXT = 4000;
  var HISTORY_PAGE = 50;
  var MAX_SUBSCRIPTIONS = 50;
  var MAX_SUBSCRIBES_IN_FLIGHT = 8;
  var ACK_TIMEOUT_MS = 15000;
  var TYPING_SEND_MS = 3000;
  var TYPING_SHOW_MS = 5000;
  var GROUP_MS = 5 * 60 * 1000;

  var session = new CC.Session();
  var embedUrl = root.getAttribute('data-embed-url');
  var isAdmin = root.getAttribute('data-admin') === 'true';

  var dom = {
    list: byId('message-list'),
    scroller: byId('messages'),
    historyStatus: byId('history-status'),
    title: byId('room-title'),
    rooms: byId('room-list'),
    dms: byId('dm-list'),
    composer: byId('composer'),
    input: byId('composer-input'),
    send: byId('composer-send'),
    composerLabel: byId('composer-label'),
    composerError: byId('composer-error'),
    typing: byId('typing'),
    jump: byId('jump'),
    conn: byId('conn'),
    connText: byId('conn-text'),
    retry: byId('conn-retry'),
    navToggle: byId('nav-toggle'),
    navBadge: byId('nav-toggle-badge'),
    ended: byId('ended'),
    fallback: byId('chat-fallback'),
    signedOut: byId('chat-signed-out')
  };

  var app = {
    me: null,
    space: null,
    rooms: new Map(),
    current: null,
    pending: [],
    refs: {},
    online: new Set(),
    view: 'chat',
    editing: null,
    confirming: null,
    lastTypingSent: 0,
    refCounter: 0,
    ended: false
  };

  // The page may have been rendered by the OAuth callback; a reload must not replay code and state.
  if (embedUrl && location.pathname !== '/embed') {
    history.replaceState(null, '', embedUrl);
  }

  var conn = new CC.Connection(document.querySelector('meta[name="ws-url"]').getAttribute('content'), session, {
    frame: onFrame,
    state: onConnState,
    ended: onEnded,
    signedOut: onSignedOut,
    failed: onFailed
  });

  // ---- requests with answers ----

  /** Sends a frame with a fresh ref; resolves with the answer, rejects with the error frame. */
  function request(frame) {
    var ref = 'r' + (++app.refCounter);
    frame.ref = ref;
    return new Promise(function (resolve, reject) {
      if (!conn.send(frame)) {
        reject({ code: 'unavailable' });
        return;
      }
      app.refs[ref] = {
        resolve: resolve,
        reject: reject,
        timer: setTimeout(function () {
          delete app.refs[ref];
          reject({ code: 'unavailable' });
        }, 20000)
      };
    });
  }

  function settleRef(frame) {
    var waiting = frame.ref && app.refs[frame.ref];
    if (!waiting) {
      return;
    }
    delete app.refs[frame.ref];
    clearTimeout(waiting.timer);
    if (frame.type === 'error') {
      waiting.reject(frame);
    } else {
      waiting.resolve(frame);
    }
  }

  function failAllRefs() {
    Object.keys(app.refs).forEach(function (ref) {
      var waiting = app.refs[ref];
      delete app.refs[ref];
      clearTimeout(waiting.timer);
      waiting.reject({ code: 'unavailable' });
    });
  }

  function errorText(err) {
    var code = err && err.code;
    var key = 'error.' + code;
    var text = t(key);
    return text === key ? t('error.generic') : text;
  }

  CC.request = request;
  CC.errorText = errorText;

  // ---- frames ----

  function onFrame(frame) {
    switch (frame.type) {
      case 'ready': onReady(frame); break;
      case 'subscribed': onSubscribed(frame); break;
      case 'event': onLiveEvent(frame); break;
      case 'history': onHistory(frame); break;
      case 'ack': onAck(frame); break;
      case 'error': onError(frame); break;
      case 'typing': onTyping(frame); break;
      case 'unread': onUnread(frame); break;
      case 'room_added': onRoomAdded(frame); break;
      case 'room_removed': onRoomRemoved(frame); break;
      case 'room_updated': onRoomUpdated(frame); break;
      case 'presence': onPresence(frame); break;
      default: break;
    }
    settleRef(frame);
  }

  function onReady(frame) {
    var shown = app.current;
    app.me = frame.user;
    app.space = frame.space;
    var seen = {};
    (frame.rooms || []).forEach(function (r) {
      seen[r.id] = true;
      upsertRoom(r);
    });
    Array.from(app.rooms.keys()).forEach(function (id) {
      if (!seen[id]) {
        app.rooms.delete(id);
      }
    });
    if (!app.current || !app.rooms.has(app.current)) {
      app.current = initialRoom();
    }
    subscribeAll();
    renderSidebar();
    if (app.current && app.current === shown) {
      // A reconnect: keep what the member sees; the catch-up adds what was missed.
      renderRoomHeader(app.rooms.get(app.current));
    } else if (app.current) {
      selectRoom(app.current, {});
    } else {
      renderEmpty();
    }
    setComposerEnabled(true);
    resendPending();
    if (CC.directory) {
      CC.directory.connected();
    }
  }

  function upsertRoom(r) {
    var room = app.rooms.get(r.id);
    if (!room) {
      room = {
        id: r.id, items: [], byMessage: {}, seen: {}, oldestSeen: null, newest: 0, more: false, loaded: false,
        loadingOlder: false, marker: null, online: [], typing: {}, subAfter: null
      };
      app.rooms.set(r.id, room);
    }
    room.name = r.name;
    room.kind = r.kind || room.kind || 'channel';
    room.user = r.user || room.user || null;
    room.lastSeq = Math.max(room.lastSeq || 0, r.lastSeq || 0);
    if (typeof r.readSeq === 'number') {
      room.readSeq = r.readSeq;
    }
    if (typeof r.unread === 'number') {
      room.unread = r.unread;
    }
    room.isDefault = !!r['default'];
    room.autoJoin = r.autoJoin;
    room.plans = r.plans || [];
    return room;
  }

  function initialRoom() {
    var stored = null;
    try {
      stored = window.sessionStorage.getItem('cobotchat.room');
    } catch (e) {
      stored = null;
    }
    if (stored && app.rooms.has(stored)) {
      return stored;
    }
    var rooms = sortedRooms();
    var def = rooms.filter(function (r) { return r.isDefault; })[0];
    return def ? def.id : (rooms[0] ? rooms[0].id : null);
  }

  // Subscriptions go out a few at a time (the server serves at most 32 requests in flight per connection).
  var subs = { queue: [], inFlight: 0 };

  function subscribe(room) {
    if (subs.queue.indexOf(room.id) < 0) {
      subs.queue.push(room.id);
    }
    pumpSubscriptions();
  }

  function pumpSubscriptions() {
    while (subs.inFlight < MAX_SUBSCRIBES_IN_FLIGHT && subs.queue.length > 0) {
      var room = app.rooms.get(subs.queue[0]);
      if (!room) {
        subs.queue.shift();
        continue;
      }
      var frame = { type: 'subscribe', room: room.id, ref: 'sub:' + room.id };
      var after = room.loaded ? room.newest : null;
      if (after !== null) {
        frame.after = after;
      }
      if (!conn.send(frame)) {
        return;
      }
      subs.queue.shift();
      room.subAfter = after;
      subs.inFlight++;
    }
  }

  function subscriptionSettled(frame) {
    if (typeof frame.ref === 'string' && frame.ref.indexOf('sub:') === 0) {
      subs.inFlight = Math.max(0, subs.inFlight - 1);
      pumpSubscriptions();
    }
  }

  function subscribeAll() {
    subs.queue = [];
    subs.inFlight = 0;
    var rooms = sortedRooms();
    var current = app.rooms.get(app.current);
    if (current) {
      rooms = [current].concat(rooms.filter(function (r) { return r !== current; }));
    }
    rooms.slice(0, MAX_SUBSCRIPTIONS).forEach(subscribe);
  }

  function onSubscribed(frame) {
    subscriptionSettled(frame);
    var room = app.rooms.get(frame.room);
    if (!room) {
      return;
    }
    var catchUp = room.subAfter !== null && !frame.more;
    if (!catchUp) {
      resetItems(room);
      room.more = !!frame.more;
    }
    (frame.events || []).forEach(function (e) {
      applyEvent(room, e);
    });
    room.loaded = true;
    room.newest = Math.max(room.newest, frame.lastSeq || 0);
    room.lastSeq = Math.max(room.lastSeq, frame.lastSeq || 0);
    recountUnread(room);
    renderSidebar();
    dropDeliveredPending(room);
    if (room.id === app.current) {
      renderMessages(room, catchUp ? 'stick' : 'open');
    }
  }

  /**
   * The unread count of ready/room_added is a snapshot from before the subscription; messages that
   * arrived in between come in the subscribed answer, not live. Count them from what is loaded:
   * exactly when the loaded events reach back to the read marker, else at least that many.
   */
  function recountUnread(room) {
    var read = room.readSeq || 0;
    var count = 0;
    room.items.forEach(function (item) {
      if (item.kind === 'message' && item.seq > read && !item.message.deleted && !isMine(item.message)) {
        count++;
      }
    });
    var complete = !room.more || (room.oldestSeen !== null && room.oldestSeen <= read + 1);
    room.unread = complete ? count : Math.max(room.unread || 0, count);
  }

  function resetItems(room) {
    room.items = [];
    room.byMessage = {};
    room.seen = {};
    room.oldestSeen = null;
  }

  /** Applies one event to a room's state; returns false when it was known already. */
  function applyEvent(room, e) {
    if (room.seen[e.seq]) {
      return false;
    }
    room.seen[e.seq] = true;
    room.newest = Math.max(room.newest, e.seq);
    room.lastSeq = Math.max(room.lastSeq, e.seq);
    room.oldestSeen = room.oldestSeen === null ? e.seq : Math.min(room.oldestSeen, e.seq);
    if (e.kind === 'message') {
      var existing = room.byMessage[e.message.id];
      if (existing) {
        existing.message = e.message;
      } else {
        var item = { seq: e.seq, kind: 'message', at: new Date(e.at), message: e.message };
        insertItem(room, item);
        room.byMessage[e.message.id] = item;
      }
    } else if (e.kind === 'edit' || e.kind === 'delete') {
      var target = e.message && room.byMessage[e.message.id];
      if (target) {
        target.message = e.message;
      }
    } else if (e.kind === 'member_joined' || e.kind === 'member_left') {
      insertItem(room, { seq: e.seq, kind: e.kind, at: new Date(e.at), member: e.member });
    }
    return true;
  }

  function insertItem(room, item) {
    var items = room.items;
    if (items.length === 0 || items[items.length - 1].seq < item.seq) {
      items.push(item);
      return;
    }
    var lo = 0;
    var hi = items.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (items[mid].seq < item.seq) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    items.splice(lo, 0, item);
  }

  function onLiveEvent(frame) {
    var room = app.rooms.get(frame.room);
    if (!room || !room.loaded) {
      return;
    }
    var wasAtBottom = atBottom();
    var lastBefore = room.items.length ? room.items[room.items.length - 1].seq : 0;
    if (!applyEvent(room, frame)) {
      return;
    }
    var isCurrent = room.id === app.current;
    if (frame.kind === 'message') {
      var author = frame.message.author || {};
      var mine = app.me && author.id === app.me.id;
      delete room.typing[author.id];
      if (mine) {
        dropDeliveredPending(room);
      } else {
        var seenNow = isCurrent && app.view === 'chat' && wasAtBottom && document.visibilityState === 'visible';
        if (!seenNow) {
          room.unread = (room.unread || 0) + 1;
        }
        if (isCurrent || room.kind === 'dm') {
          var text = frame.message.text || '';
          CC.announce(t('live.message', { name: author.name, room: roomLabel(room),
            text: text.length > 200 ? text.slice(0, 200) + '…' : text }));
        }
      }
      renderSidebar();
    }
    if (!isCurrent) {
      return;
    }
    if ((frame.kind === 'message' || frame.kind === 'member_joined' || frame.kind === 'member_left') && frame.seq > lastBefore) {
      appendItemNode(room, room.items[room.items.length - 1]);
      if (wasAtBottom || (frame.kind === 'message' && app.me && frame.message.author.id === app.me.id)) {
        scrollToBottom();
      } else {
        dom.jump.hidden = false;
      }
    } else if (frame.kind === 'edit' || frame.kind === 'delete' || frame.kind === 'message') {
      updateMessageNode(room, frame.message.id);
    }
    renderTyping();
    maybeMarkRead();
  }

  function onHistory(frame) {
    var room = app.rooms.get(frame.room);
    if (!room) {
      return;
    }
    (frame.events || []).forEach(function (e) {
      applyEvent(room, e);
    });
    room.more = !!frame.more;
    room.loadingOlder = false;
    if (room.id === app.current) {
      dom.historyStatus.textContent = '';
      renderMessages(room, 'keep');
    }
  }

  function onAck(frame) {
    var p = findPending(frame.clientMsgId);
    if (!p) {
      return;
    }
    clearTimeout(p.timer);
    p.state = 'sent';
    p.messageId = frame.messageId;
    var room = app.rooms.get(p.room);
    if (room) {
      dropDeliveredPending(room);
    }
    if (findPending(p.clientMsgId)) {
      updatePendingNode(p);
    }
  }

  function onError(frame) {
    var ref = frame.ref;
    if (typeof ref === 'string' && ref.indexOf('sub:') === 0) {
      subscriptionSettled(frame);
      var room = app.rooms.get(ref.slice(4));
      if (room && (frame.code === 'rate_limited' || frame.code === 'unavailable')) {
        setTimeout(function () {
          if (conn.isOpen() && app.rooms.get(room.id) === room) {
            subscribe(room);
          }
        }, Math.max(100, frame.retryAfterMs || 1000));
      }
      return;
    }
    if (typeof ref === 'string' && ref.indexOf('send:') === 0) {
      var p = findPending(ref.slice(5));
      if (!p || p.state === 'sent') {
        return;
      }
      clearTimeout(p.timer);
      if (frame.code === 'rate_limited' || frame.code === 'unavailable') {
        p.timer = setTimeout(function () { transmit(p); }, Math.max(500, frame.retryAfterMs || 1000));
        return;
      }
      p.state = 'failed';
      p.error = errorText(frame);
      updatePendingNode(p);
    }
  }

  function onTyping(frame) {
    var room = app.rooms.get(frame.room);
    if (!room || !frame.user || (app.me && frame.user.id === app.me.id)) {
      return;
    }
    room.typing[frame.user.id] = { name: frame.user.name, until: Date.now() + TYPING_SHOW_MS };
    if (room.id === app.current) {
      renderTyping();
    }
    setTimeout(function () {
      if (room.id === app.current) {
        renderTyping();
      }
    }, TYPING_SHOW_MS + 50);
  }

  function onUnread(frame) {
    var room = app.rooms.get(frame.room);
    if (!room) {
      return;
    }
    room.readSeq = Math.max(room.readSeq || 0, frame.readSeq);
    room.unread = frame.unread;
    renderSidebar();
  }

  function onRoomAdded(frame) {
    var room = upsertRoom(frame.room);
    if (!room.loaded) {
      subscribe(room);
    }
    renderSidebar();
    if (CC.admin) {
      CC.admin.roomsChanged();
    }
  }

  function onRoomRemoved(frame) {
    var room = app.rooms.get(frame.room);
    if (!room) {
      return;
    }
    app.rooms.delete(frame.room);
    CC.announce(t('live.removed', { room: roomLabel(room) }));
    if (app.current === frame.room) {
      app.current = initialRoom();
      if (app.current) {
        selectRoom(app.current, {});
      } else {
        renderEmpty();
      }
    }
    renderSidebar();
    if (CC.admin) {
      CC.admin.roomsChanged();
    }
  }

  function onRoomUpdated(frame) {
    var r = frame.room || {};
    var room = app.rooms.get(r.id);
    if (room && room.kind !== 'dm') {
      room.name = r.name;
      room.isDefault = !!r['default'];
      room.autoJoin = r.autoJoin;
      room.plans = r.plans || [];
      if (room.id === app.current) {
        renderRoomHeader(room);
      }
    }
    renderSidebar();
    if (CC.admin) {
      CC.admin.roomsChanged();
    }
  }

  function onPresence(frame) {
    var room = app.rooms.get(frame.room);
    if (!room) {
      return;
    }
    room.online = frame.online || [];
    var online = new Set();
    app.rooms.forEach(function (r) {
      r.online.forEach(function (id) { online.add(id); });
    });
    app.online = online;
    renderSidebar();
    if (app.current) {
      renderRoomHeader(app.rooms.get(app.current));
    }
    if (CC.directory) {
      CC.directory.presenceChanged();
    }
  }

  // ---- connection state ----

  function onConnState(name, info) {
    root.setAttribute('data-conn', name);
    var text;
    switch (name) {
      case 'connecting': text = t('conn.connecting'); break;
      case 'open': text = t('conn.connected'); break;
      case 'waiting': text = t('conn.waiting', { seconds: info.seconds }); break;
      case 'offline': text = t('conn.offline'); break;
      case 'ended': text = t('conn.ended'); break;
      case 'signed-out': text = t('conn.signedOut'); break;
      case 'failed': text = t('conn.failed'); break;
      default: text = name;
    }
    if (dom.connText.textContent !== text) {
      dom.connText.textContent = text;
    }
    dom.retry.hidden = !(name === 'waiting' || name === 'offline');
    if (name !== 'open') {
      subs.queue = [];
      subs.inFlight = 0;
      failAllRefs();
      app.rooms.forEach(function (r) {
        r.loadingOlder = false;
      });
      refreshPendingNodes();
    }
  }

  function onEnded() {
    app.ended = true;
    root.setAttribute('data-state', 'ended');
    setComposerEnabled(false);
    dom.ended.hidden = false;
    dom.retry.hidden = true;
  }

  /** The session has ended: offer "Sign in again" (a popup, see signin.js) and a new tab; never navigate by ourselves. */
  function onSignedOut() {
    conn.stop();
    setComposerEnabled(false);
    root.setAttribute('data-state', 'signed-out');
    dom.retry.hidden = true;
    dom.signedOut.hidden = false;
  }

  function onFailed() {
    root.setAttribute('data-state', 'failed');
    setComposerEnabled(false);
    dom.fallback.hidden = false;
  }

  CC.onSignedOut = onSignedOut;

  // ---- sidebar ----

  function sortedRooms() {
    var list = Array.from(app.rooms.values());
    list.sort(function (a, b) {
      if (a.isDefault !== b.isDefault) {
        return a.isDefault ? -1 : 1;
      }
      return String(a.name).localeCompare(String(b.name), CC.lang);
    });
    return list;
  }

  function roomLabel(room) {
    return room.kind === 'dm' ? room.name : '#' + room.name;
  }

  function isOnline(id) {
    return app.online.has(id);
  }

  function presenceDot(id) {
    var on = isOnline(id);
    return el('span', { className: 'presence ' + (on ? 'is-online' : 'is-offline') }, [
      el('span', { className: 'sr-only', text: ', ' + t(on ? 'presence.online' : 'presence.offline') })
    ]);
  }

  function roomButton(room) {
    var current = room.id === app.current;
    var children = [];
    if (room.kind === 'dm') {
      var person = room.user || { name: room.name };
      children.push(el('span', { className: 'avatar-wrap' }, [CC.avatar(person, 's'), presenceDot(person.id)]));
    } else {
      children.push(el('span', { className: 'room-icon' + (room.kind === 'private' ? ' is-private' : ''), aria: { hidden: 'true' },
        text: room.kind === 'private' ? '•' : '#' }));
    }
    children.push(el('span', { className: 'room-name', text: room.name }));
    if (room.unread > 0) {
      children.push(el('span', { className: 'badge', dataset: { unread: room.unread } }, [
        String(room.unread > 99 ? '99+' : room.unread),
        el('span', { className: 'sr-only', text: ' ' + t('unread.count', { count: room.unread }).replace(/^\d+\s*/, '') })
      ]));
    }
    return el('li', {}, [
      el('button', {
        type: 'button', className: 'room-button' + (room.unread > 0 ? ' has-unread' : ''), dataset: { room: room.id },
        aria: current ? { current: 'true' } : null,
        on: { click: function () { selectRoom(room.id, { user: true }); } }
      }, children)
    ]);
  }

  function renderSidebar() {
    var rooms = sortedRooms();
    var channels = rooms.filter(function (r) { return r.kind !== 'dm'; });
    var dms = rooms.filter(function (r) { return r.kind === 'dm'; });
    CC.clear(dom.rooms);
    CC.clear(dom.dms);
    channels.forEach(function (r) { dom.rooms.appendChild(roomButton(r)); });
    dms.forEach(function (r) { dom.dms.appendChild(roomButton(r)); });
    if (channels.length === 0) {
      dom.rooms.appendChild(el('li', { className: 'muted empty', text: t('rooms.empty') }));
    }
    if (dms.length === 0) {
      dom.dms.appendChild(el('li', { className: 'muted empty', text: t('dms.empty') }));
    }
    var total = rooms.reduce(function (n, r) { return n + (r.id === app.current ? 0 : (r.unread || 0)); }, 0);
    dom.navBadge.hidden = total === 0;
    dom.navBadge.textContent = total > 99 ? '99+' : String(total);
  }

  function setNavOpen(open) {
    root.classList.toggle('nav-open', open);
    dom.navToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  }

  // ---- room view ----

  function selectRoom(id, opts) {
    var room = app.rooms.get(id);
    if (!room) {
      return;
    }
    app.current = id;
    try {
      window.sessionStorage.setItem('cobotchat.room', id);
    } catch (e) { /* storage blocked in this frame: fine */ }
    app.editing = null;
    app.confirming = null;
    room.marker = room.unread > 0 ? (room.readSeq || 0) : null;
    dom.composerError.textContent = '';
    renderRoomHeader(room);
    renderSidebar();
    renderMessages(room, 'open');
    renderTyping();
    setNavOpen(false);
    if (opts && opts.user) {
      setView('chat');
      if (!dom.input.disabled) {
        dom.input.focus({ preventScroll: true });
      }
    }
  }

  function renderRoomHeader(room) {
    if (!room) {
      return;
    }
    var label = roomLabel(room);
    CC.clear(dom.title);
    dom.title.appendChild(document.createTextNode(label));
    if (room.kind === 'dm' && room.user) {
      dom.title.appendChild(presenceDot(room.user.id));
    }
    document.title = label + ' · ' + (app.space ? app.space.name : root.getAttribute('data-space-name'));
    dom.composerLabel.textContent = t('composer.label', { room: label });
    dom.scroller.setAttribute('aria-label', t('messages.label', { room: label }));
  }

  function renderEmpty() {
    CC.clear(dom.list);
    dom.historyStatus.textContent = t('rooms.empty');
  }

  function atBottom() {
    var s = dom.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
  }

  function scrollToBottom() {
    dom.scroller.scrollTop = dom.scroller.scrollHeight;
    dom.jump.hidden = true;
  }

  /**
   * Renders the current room's messages. mode: 'open' (go to the "new messages" marker or the end),
   * 'keep' (older messages were added on top: keep what the member sees in place), 'stick' (stay at
   * the end when there, else keep the position).
   */
  function renderMessages(room, mode) {
    var s = dom.scroller;
    var fromBottom = s.scrollHeight - s.scrollTop;
    var wasAtBottom = atBottom();
    CC.clear(dom.list);
    if (!room.loaded) {
      dom.historyStatus.textContent = t('messages.loading');
      return;
    }
    dom.historyStatus.textContent = room.loadingOlder ? t('messages.loadingOlder') : '';
    var frag = document.createDocumentFragment();
    if (!room.more) {
      frag.appendChild(el('li', { className: 'room-start', text: t('messages.start', { room: roomLabel(room) }) }));
    }
    var prev = null;
    var markerDone = room.marker === null;
    room.items.forEach(function (item) {
      if (!markerDone && item.kind === 'message' && item.seq > room.marker && !isMine(item.message)) {
        frag.appendChild(el('li', { className: 'new-marker', id: 'new-marker' }, [el('span', { text: t('messages.new') })]));
        markerDone = true;
        prev = null;
      }
      appendWithSeparator(frag, prev, item, room);
      prev = item;
    });
    app.pending.filter(function (p) { return p.room === room.id; }).forEach(function (p) {
      frag.appendChild(pendingNode(p));
    });
    dom.list.appendChild(frag);

    if (mode === 'open') {
      var marker = byId('new-marker');
      if (marker) {
        s.scrollTop = Math.max(0, marker.offsetTop - 8);
      } else {
        scrollToBottom();
      }
    } else if (mode === 'keep') {
      s.scrollTop = s.scrollHeight - fromBottom;
    } else if (wasAtBottom) {
      scrollToBottom();
    }
    fillIfShort(room);
    maybeMarkRead();
  }

  function appendWithSeparator(parent, prev, item, room) {
    if (!prev || !CC.sameDay(prev.at, item.at)) {
      parent.appendChild(el('li', { className: 'day' }, [
        el('h3', { className: 'day-label' }, [el('time', { datetime: item.at.toISOString().slice(0, 10), text: CC.dayLabel(item.at) })])
      ]));
      prev = null;
    }
    parent.appendChild(itemNode(room, item, prev));
  }

  function appendItemNode(room, item) {
    var idx = room.items.indexOf(item);
    var prev = idx > 0 ? room.items[idx - 1] : null;
    var firstPending = dom.list.querySelector('li.is-pending, li.is-failed, li.is-sent');
    var frag = document.createDocumentFragment();
    appendWithSeparator(frag, prev, item, room);
    dom.list.insertBefore(frag, firstPending);
  }

  function isMine(message) {
    return !!(app.me && message && message.author && message.author.id === app.me.id);
  }

  function continues(prev, item) {
    return prev && prev.kind === 'message' && item.kind === 'message' && !prev.message.deleted
      && prev.message.author.id === item.message.author.id && item.at - prev.at < GROUP_MS;
  }

  function itemNode(room, item, prev) {
    if (item.kind !== 'message') {
      var name = item.member ? item.member.name : '';
      return el('li', { className: 'event-line', dataset: { seq: item.seq } }, [
        t(item.kind === 'member_joined' ? 'event.joined' : 'event.left', { name: name })
      ]);
    }
    var m = item.message;
    var mine = isMine(m);
    var cont = continues(prev, item);
    var li = el('li', {
      className: 'msg' + (mine ? ' is-mine' : '') + (cont ? ' is-cont' : '') + (m.deleted ? ' is-deleted' : ''),
      id: 'msg-' + m.id, dataset: { seq: item.seq, id: m.id }
    });
    li.appendChild(cont ? el('span', { className: 'avatar-space', aria: { hidden: 'true' } }) : CC.avatar(m.author, 'm'));
    var body = el('div', { className: 'msg-body' });
    body.appendChild(el('p', { className: 'msg-head' + (cont ? ' sr-only' : '') }, [
      el('span', { className: 'author', text: m.author.name }), ' ',
      el('time', { className: 'msg-time', datetime: item.at.toISOString(), title: CC.stamp(item.at), text: CC.time(item.at) }),
      m.editedAt && !m.deleted ? el('span', { className: 'edited', text: ' ' + t('message.edited') }) : null
    ]));
    if (m.deleted) {
      body.appendChild(el('p', { className: 'msg-text is-deleted-text', text: t('message.deleted') }));
    } else if (app.editing && app.editing.id === m.id) {
      body.appendChild(editForm(room, item));
    } else {
      body.appendChild(el('p', { className: 'msg-text' }, [CC.richText(m.text)]));
      if (app.confirming === m.id) {
        body.appendChild(deleteConfirm(room, item));
      }
    }
    li.appendChild(body);
    if (!m.deleted && !(app.editing && app.editing.id === m.id) && app.confirming !== m.id && (mine || isAdmin)) {
      var actions = el('div', { className: 'msg-actions', role: 'group', aria: { label: t('message.actions') } });
      if (mine) {
        actions.appendChild(el('button', { type: 'button', className: 'action edit-button', text: t('message.edit'),
          on: { click: function () { startEdit(room, item); } } }));
      }
      actions.appendChild(el('button', { type: 'button', className: 'action delete-button', text: t('message.delete'),
        on: { click: function () { askDelete(room, item); } } }));
      li.appendChild(actions);
    }
    return li;
  }

  function updateMessageNode(room, messageId) {
    var node = byId('msg-' + messageId);
    var item = room.byMessage[messageId];
    if (!node || !item) {
      return;
    }
    var idx = room.items.indexOf(item);
    var prev = idx > 0 ? room.items[idx - 1] : null;
    if (prev && !CC.sameDay(prev.at, item.at)) {
      prev = null;
    }
    var fresh = itemNode(room, item, prev);
    node.parentNode.replaceChild(fresh, node);
    return fresh;
  }

  function fillIfShort(room) {
    var s = dom.scroller;
    if (room.more && !room.loadingOlder && s.scrollHeight <= s.clientHeight + 40) {
      loadOlder(room);
    }
  }

  function loadOlder(room) {
    if (!room.more || room.loadingOlder || !conn.isOpen() || room.oldestSeen === null) {
      return;
    }
    room.loadingOlder = true;
    dom.historyStatus.textContent = t('messages.loadingOlder');
    request({ type: 'history', room: room.id, before: room.oldestSeen, limit: HISTORY_PAGE }).catch(function () {
      room.loadingOlder = false;
      if (room.id === app.current) {
        dom.historyStatus.textContent = '';
      }
    });
  }

  var readTimer = null;

  function maybeMarkRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(markRead, 300);
  }

  function markRead() {
    var room = app.rooms.get(app.current);
    if (!room || !room.loaded || app.view !== 'chat' || document.visibilityState !== 'visible' || !atBottom()) {
      return;
    }
    if (room.newest > (room.readSeq || 0) || room.unread > 0) {
      if (conn.send({ type: 'read', room: room.id, seq: room.newest })) {
        room.readSeq = room.newest;
        room.unread = 0;
        renderSidebar();
      }
    }
    dom.jump.hidden = true;
  }

  // ---- typing ----

  function renderTyping() {
    var room = app.rooms.get(app.current);
    var now = Date.now();
    var names = [];
    if (room) {
      Object.keys(room.typing).forEach(function (id) {
        if (room.typing[id].until > now) {
          names.push(room.typing[id].name);
        } else {
          delete room.typing[id];
        }
      });
    }
    var text = '';
    if (names.length === 1) {
      text = t('typing.one', { name: names[0] });
    } else if (names.length === 2) {
      text = t('typing.two', { a: names[0], b: names[1] });
    } else if (names.length > 2) {
      text = t('typing.many');
    }
    if (dom.typing.textContent !== text) {
      dom.typing.textContent = text;
    }
  }

  // ---- composer and pending messages ----

  function setComposerEnabled(on) {
    var enabled = on && !app.ended;
    dom.input.disabled = !enabled;
    dom.send.disabled = !enabled;
  }

  function findPending(clientMsgId) {
    for (var i = 0; i < app.pending.length; i++) {
      if (app.pending[i].clientMsgId === clientMsgId) {
        return app.pending[i];
      }
    }
    return null;
  }

  function removePending(p) {
    clearTimeout(p.timer);
    app.pending = app.pending.filter(function (x) { return x !== p; });
    var node = document.querySelector('li[data-client-id="' + p.clientMsgId + '"]');
    if (node) {
      node.parentNode.removeChild(node);
    }
  }

  /** Pending messages whose message the room now shows: the ack named it and its event arrived. */
  function dropDeliveredPending(room) {
    app.pending.slice().forEach(function (p) {
      if (p.room === room.id && p.messageId && room.byMessage[p.messageId]) {
        removePending(p);
      }
    });
  }

  function pendingNode(p) {
    var li = el('li', { className: 'msg is-mine is-' + p.state, dataset: { clientId: p.clientMsgId } });
    li.appendChild(CC.avatar(app.me || { name: byId('chat-member').textContent }, 'm'));
    var body = el('div', { className: 'msg-body' });
    var stateText = p.state === 'failed' ? t('message.failed')
      : (conn.isOpen() ? t('message.sending') : t('message.queued'));
    body.appendChild(el('p', { className: 'msg-head' }, [
      el('span', { className: 'author', text: app.me ? app.me.name : byId('chat-member').textContent }), ' ',
      el('span', { className: 'msg-state', text: stateText })
    ]));
    body.appendChild(el('p', { className: 'msg-text' }, [CC.richText(p.text)]));
    if (p.state === 'failed') {
      body.appendChild(el('p', { className: 'msg-failed', role: 'alert' }, [
        p.error ? p.error + ' ' : '',
        el('button', { type: 'button', className: 'action retry-button', text: t('message.retry'),
          on: { click: function () { transmit(p); updatePendingNode(p); } } }),
        ' ',
        el('button', { type: 'button', className: 'action discard-button', text: t('message.discard'),
          on: { click: function () { removePending(p); dom.input.focus({ preventScroll: true }); } } })
      ]));
    }
    li.appendChild(body);
    return li;
  }

  function updatePendingNode(p) {
    var node = document.querySelector('li[data-client-id="' + p.clientMsgId + '"]');
    if (node) {
      node.parentNode.replaceChild(pendingNode(p), node);
    }
  }

  function refreshPendingNodes() {
    app.pending.forEach(function (p) {
      if (p.room === app.current) {
        updatePendingNode(p);
      }
    });
  }

  /** Sends (or re-sends, with the same clientMsgId) a pending message; the server never stores it twice. */
  function transmit(p) {
    clearTimeout(p.timer);
    p.state = 'pending';
    p.error = null;
    var sent = conn.send({ type: 'send', room: p.room, clientMsgId: p.clientMsgId, text: p.text, ref: 'send:' + p.clientMsgId });
    if (sent) {
      p.timer = setTimeout(function () {
        if (p.state === 'pending' && conn.isOpen()) {
          p.state = 'failed';
          updatePendingNode(p);
        }
      }, ACK_TIMEOUT_MS);
    }
  }

  function resendPending() {
    app.pending.forEach(function (p) {
      if (p.state === 'pending' && app.rooms.has(p.room)) {
        transmit(p);
      }
    });
    refreshPendingNodes();
  }

  function submitComposer() {
    var text = dom.input.value.trim();
    dom.composerError.textContent = '';
    if (!text || !app.current || app.ended) {
      return;
    }
    if (Array.from(text).length > MAX_TEXT) {
      dom.composerError.textContent = t('message.tooLong', { max: MAX_TEXT });
      return;
    }
    var p = { clientMsgId: CC.randomId(), room: app.current, text: text, state: 'pending', timer: null };
    app.pending.push(p);
    dom.input.value = '';
    autosize();
    transmit(p);
    dom.list.appendChild(pendingNode(p));
    scrollToBottom();
  }

  function autosize() {
    dom.input.style.height = 'auto';
    dom.input.style.height = Math.min(dom.input.scrollHeight + 2, 160) + 'px';
  }

  function onComposerKey(e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      submitComposer();
    } else if (e.key === 'ArrowUp' && dom.input.value === '') {
      var room = app.rooms.get(app.current);
      var last = room && room.items.slice().reverse().filter(function (i) {
        return i.kind === 'message' && isMine(i.message) && !i.message.deleted;
      })[0];
      if (last) {
        e.preventDefault();
        startEdit(room, last);
      }
    }
  }

  function onComposerInput() {
    autosize();
    var now = Date.now();
    if (dom.input.value.trim() && app.current && now - app.lastTypingSent > TYPING_SEND_MS) {
      if (conn.send({ type: 'typing', room: app.current })) {
        app.lastTypingSent = now;
      }
    }
  }

  // ---- edit and delete ----

  function startEdit(room, item) {
    app.confirming = null;
    app.editing = { id: item.message.id, draft: item.message.text };
    var node = updateMessageNode(room, item.message.id);
    var field = node && node.querySelector('textarea');
    if (field) {
      field.focus();
      field.setSelectionRange(field.value.length, field.value.length);
    }
  }

  function stopEdit(room, messageId, focusComposer) {
    app.editing = null;
    var node = updateMessageNode(room, messageId);
    if (focusComposer || !node) {
      dom.input.focus({ preventScroll: true });
    } else {
      var b = node.querySelector('.edit-button');
      if (b) {
        b.focus();
      }
    }
  }

  function editForm(room, item) {
    var id = item.message.id;
    var field = el('textarea', { className: 'edit-input', rows: '2', maxlength: String(MAX_TEXT), aria: { label: t('edit.label') } });
    field.value = app.editing.draft;
    var error = el('p', { className: 'form-error', role: 'alert' });
    var save = function () {
      var text = field.value.trim();
      if (!text) {
        return;
      }
      if (text === item.message.text) {
        stopEdit(room, id, false);
        return;
      }
      request({ type: 'edit', room: room.id, messageId: id, text: text }).then(function () {
        if (app.editing && app.editing.id === id) {
          stopEdit(room, id, true);
        }
      }, function (err) {
        error.textContent = errorText(err);
      });
    };
    field.addEventListener('input', function () {
      if (app.editing && app.editing.id === id) {
        app.editing.draft = field.value;
      }
    });
    field.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        save();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        stopEdit(room, id, false);
      }
    });
    return el('div', { className: 'edit-form' }, [
      field,
      el('p', { className: 'edit-actions' }, [
        el('button', { type: 'button', className: 'button small save-edit', text: t('edit.save'), on: { click: save } }), ' ',
        el('button', { type: 'button', className: 'link-button cancel-edit', text: t('edit.cancel'),
          on: { click: function () { stopEdit(room, id, false); } } })
      ]),
      error
    ]);
  }

  function askDelete(room, item) {
    app.editing = null;
    app.confirming = item.message.id;
    var node = updateMessageNode(room, item.message.id);
    var keep = node && node.querySelector('.keep-button');
    if (keep) {
      keep.focus();
    }
  }

  function deleteConfirm(room, item) {
    var id = item.message.id;
    var error = el('span', { className: 'form-error', role: 'alert' });
    return el('p', { className: 'delete-confirm' }, [
      el('span', { text: t('delete.confirm') + ' ' }),
      el('button', { type: 'button', className: 'button small danger confirm-delete', text: t('delete.yes'), on: { click: function () {
        request({ type: 'delete', room: room.id, messageId: id }).then(function () {
          app.confirming = null;
          updateMessageNode(room, id);
          dom.input.focus({ preventScroll: true });
        }, function (err) {
          error.textContent = ' ' + errorText(err);
        });
      } } }), ' ',
      el('button', { type: 'button', className: 'link-button keep-button', text: t('delete.no'), on: { click: function () {
        app.confirming = null;
        var node = updateMessageNode(room, id);
        var b = node && node.querySelector('.delete-button');
        if (b) {
          b.focus();
        }
      } } }),
      error
    ]);
  }

  // ---- direct messages ----

  function startDirect(userId) {
    var existing = Array.from(app.rooms.values()).filter(function (r) {
      return r.kind === 'dm' && r.user && r.user.id === userId;
    })[0];
    if (existing) {
      selectRoom(existing.id, { user: true });
      return Promise.resolve(existing);
    }
    return request({ type: 'dm', user: userId }).then(function (frame) {
      var room = app.rooms.get(frame.room.id) || upsertRoom(frame.room);
      if (!room.loaded) {
        subscribe(room);
      }
      renderSidebar();
      selectRoom(room.id, { user: true });
      return room;
    });
  }

  // ---- views ----

  function setView(name) {
    if (!byId('view-' + name)) {
      return;
    }
    app.view = name;
    root.setAttribute('data-view', name);
    ['chat', 'directory', 'admin'].forEach(function (v) {
      var section = byId('view-' + v);
      if (section) {
        section.hidden = v !== name;
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll('.view-button'), function (b) {
      if (b.getAttribute('data-view') === name) {
        b.setAttribute('aria-current', 'page');
      } else {
        b.removeAttribute('aria-current');
      }
    });
    if (name === 'directory' && CC.directory) {
      CC.directory.show();
    } else if (name === 'admin' && CC.admin) {
      CC.admin.show();
    } else if (name === 'chat') {
      var room = app.rooms.get(app.current);
      if (room) {
        renderMessages(room, 'stick');
      }
    }
    setNavOpen(false);
  }

  // ---- the frame inside Cobot ----

  var reportedHeight = 0;

  /** Cobot sizes the iFrame from {"frameHeight": h} (a JSON string); the chat keeps a fixed height and scrolls inside. */
  function reportHeight() {
    if (window.parent === window) {
      return;
    }
    var screenHeight = (window.screen && window.screen.availHeight) || 800;
    var height = Math.max(480, Math.min(960, screenHeight - 160));
    if (height !== reportedHeight) {
      reportedHeight = height;
      window.parent.postMessage(JSON.stringify({ frameHeight: height }), '*');
    }
  }

  // ---- start ----

  function wire() {
    dom.composer.addEventListener('submit', function (e) {
      e.preventDefault();
      submitComposer();
    });
    dom.input.addEventListener('keydown', onComposerKey);
    dom.input.addEventListener('input', onComposerInput);
    dom.retry.addEventListener('click', function () { conn.retryNow(); });
    dom.jump.addEventListener('click', function () {
      scrollToBottom();
      maybeMarkRead();
    });
    dom.navToggle.addEventListener('click', function () {
      setNavOpen(!root.classList.contains('nav-open'));
    });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && root.classList.contains('nav-open')) {
        setNavOpen(false);
        dom.navToggle.focus();
      }
    });
    dom.scroller.addEventListener('scroll', function () {
      var room = app.rooms.get(app.current);
      if (room && dom.scroller.scrollTop < 150) {
        loadOlder(room);
      }
      if (atBottom()) {
        dom.jump.hidden = true;
        maybeMarkRead();
      }
    }, { passive: true });
    document.addEventListener('visibilitychange', maybeMarkRead);
    byId('new-dm').addEventListener('click', function () {
      setView('directory');
      var search = byId('member-search');
      if (search) {
        search.focus();
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll('.view-button'), function (b) {
      b.addEventListener('click', function () { setView(b.getAttribute('data-view')); });
    });
    window.addEventListener('resize', reportHeight);
  }

  CC.chat = {
    app: app,
    session: session,
    startDirect: startDirect,
    isOnline: isOnline,
    setView: setView,
    isAdmin: isAdmin,
    rooms: function () { return sortedRooms(); }
  };

  reportHeight();
  CC.loadDictionary(document.querySelector('meta[name="i18n-url"]').getAttribute('content')).then(function () {
    wire();
    if (CC.Directory) {
      CC.directory = new CC.Directory(CC.chat);
    }
    if (CC.Admin && isAdmin) {
      CC.admin = new CC.Admin(CC.chat);
    }
    renderSidebar();
    conn.connect();
  });
}());
