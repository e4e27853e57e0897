// Cobot Chat page: the page token, the HTTP API and the WebSocket with reconnects.
//
// The page token (from <meta name="page-token">) authenticates every call; POST /api/ws-ticket trades
// it for a single-use WebSocket ticket and renews it. The socket reconnects with exponential backoff
// and full jitter; close code 4403 ends the chat for good, 4401 fetches a fresh ticket (and when the
// session is gone, the page signs in again once, then offers a new tab).
(function () {
  'use strict';

  var CC = window.CobotChat;

  var BASE_DELAY_MS = 1000;
  var MAX_DELAY_MS = 30000;
  var PING_EVERY_MS = 25000;
  var SILENCE_LIMIT_MS = 60000;
  var RENEW_TOKEN_MS = 20 * 60 * 1000;

  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute('content') : null;
  }

  /** Credentials of the page: the page token (renewed by ticket calls) and the CSRF token. */
  function Session() {
    this.pageToken = meta('page-token');
    this.csrf = meta('csrf-token');
  }

  Session.prototype.remember = function (token) {
    this.pageToken = token;
    var m = document.querySelector('meta[name="page-token"]');
    if (m) {
      m.setAttribute('content', token);
    }
    var field = document.querySelector('input[name="page_token"]');
    if (field) {
      field.value = token;
    }
  };

  Session.prototype.headers = function (json) {
    var h = { 'Accept': 'application/json', 'X-CSRF-Token': this.csrf };
    if (this.pageToken) {
      h.Authorization = 'Bearer ' + this.pageToken;
    }
    if (json) {
      h['Content-Type'] = 'application/json';
    }
    return h;
  };

  /** A JSON call of our API; rejects with {status, auth, body}. */
  Session.prototype.api = function (method, path, body) {
    return fetch(path, {
      method: method,
      credentials: 'same-origin',
      headers: this.headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.text().then(function (text) {
        var json = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch (e) {
          json = null;
        }
        if (!r.ok) {
          throw { status: r.status, auth: r.status === 401, body: json };
        }
        return json;
      });
    });
  };

  Session.prototype.ticket = function () {
    var self = this;
    return this.api('POST', '/api/ws-ticket').then(function (body) {
      if (body.pageToken) {
        self.remember(body.pageToken);
      }
      return body.ticket;
    });
  };

  /**
   * The chat socket. handlers: frame(frame), state(name, info), ended(), signedOut(), opened().
   * States: connecting, open, waiting {seconds}, offline, ended, failed, signed-out.
   */
  function Connection(wsUrl, session, handlers) {
    this.wsUrl = wsUrl;
    this.session = session;
    this.handlers = handlers;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.countdown = null;
    this.pinger = null;
    this.lastHeard = 0;
    this.stopped = false;
    this.ticketRefusals = 0;
    var self = this;
    window.addEventListener('online', function () {
      if (self.timer) {
        self.retryNow();
      }
    });
    setInterval(function () {
      if (!self.stopped) {
        self.session.ticket().catch(function () { /* the next connect reports it */ });
      }
    }, RENEW_TOKEN_MS);
  }

  Connection.prototype.setState = function (name, info) {
    this.state = name;
    this.handlers.state(name, info || {});
  };

  Connection.prototype.isOpen = function () {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.state === 'open';
  };

  Connection.prototype.connect = function () {
    var self = this;
    if (this.stopped) {
      return;
    }
    this.clearTimers();
    this.setState('connecting');
    this.session.ticket().then(function (ticket) {
      if (self.stopped) {
        return;
      }
      self.open(ticket);
    }, function (err) {
      if (err && err.auth) {
        self.stop();
        self.setState('signed-out');
        self.handlers.signedOut();
      } else {
        self.scheduleRetry();
      }
    });
  };

  Connection.prototype.open = function (ticket) {
    var self = this;
    var ws;
    try {
      ws = new WebSocket(this.wsUrl + '?ticket=' + encodeURIComponent(ticket));
    } catch (e) {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onmessage = function (e) {
      if (self.ws !== ws) {
        return;
      }
      self.lastHeard = Date.now();
      var frame;
      try {
        frame = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      if (frame.type === 'ready') {
        self.attempt = 0;
        self.ticketRefusals = 0;
        self.setState('open');
        self.startPinging();
      }
      self.handlers.frame(frame);
    };
    ws.onclose = function (e) {
      if (self.ws === ws) {
        self.closed(e.code);
      }
    };
    ws.onerror = function () { /* onclose follows */ };
  };

  Connection.prototype.closed = function (code) {
    this.ws = null;
    this.stopPinging();
    if (this.stopped) {
      return;
    }
    if (code === 4403) {
      this.stop();
      this.setState('ended');
      this.handlers.ended();
    } else if (code === 4401) {
      // The ticket was refused or the session revoked: a fresh ticket tells which (401 there signs in again).
      this.ticketRefusals++;
      if (this.ticketRefusals > 2) {
        this.scheduleRetry();
      } else {
        this.connect();
      }
    } else if (code === 1008) {
      this.stop();
      this.setState('failed');
      this.handlers.failed();
    } else {
      this.scheduleRetry();
    }
  };

  /** Exponential backoff with full jitter, capped; the member can skip the wait. */
  Connection.prototype.scheduleRetry = function () {
    var self = this;
    this.clearTimers();
    var ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * Math.pow(2, this.attempt));
    var delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    this.attempt = Math.min(this.attempt + 1, 10);
    var until = Date.now() + delay;
    var offline = navigator.onLine === false;
    var tick = function () {
      var seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      self.setState(offline ? 'offline' : 'waiting', { seconds: seconds });
    };
    tick();
    this.countdown = setInterval(tick, 1000);
    this.timer = setTimeout(function () {
      self.timer = null;
      self.connect();
    }, delay);
  };

  Connection.prototype.retryNow = function () {
    this.attempt = 0;
    this.connect();
  };

  Connection.prototype.clearTimers = function () {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.countdown) {
      clearInterval(this.countdown);
      this.countdown = null;
    }
  };

  Connection.prototype.startPinging = function () {
    var self = this;
    this.stopPinging();
    this.lastHeard = Date.now();
    this.pinger = setInterval(function () {
      if (!self.ws) {
        return;
      }
      if (Date.now() - self.lastHeard > SILENCE_LIMIT_MS) {
        // Nothing heard for too long: the connection is dead even if the browser has not noticed.
        var dead = self.ws;
        self.ws = null;
        try {
          dead.close();
        } catch (e) { /* already closed */ }
        self.closed(1006);
        return;
      }
      self.send({ type: 'ping' });
    }, PING_EVERY_MS);
  };

  Connection.prototype.stopPinging = function () {
    if (this.pinger) {
      clearInterval(this.pinger);
      this.pinger = null;
    }
  };

  /** Sends a frame when the socket is open; false otherwise (the caller keeps it for later). */
  Connection.prototype.send = function (frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
      return false;
    }
    this.ws.send(JSON.stringify(frame));
    return true;
  };

  Connection.prototype.stop = function () {
    this.stopped = true;
    this.clearTimers();
    this.stopPinging();
    if (this.ws) {
      var ws = this.ws;
      this.ws = null;
      try {
        ws.close();
      } catch (e) { /* already closed */ }
    }
  };

  CC.Session = Session;
  CC.Connection = Connection;
}());
