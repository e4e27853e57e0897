// Minimal chat page client (the full UI is issue 7): reads the page token from <meta name="page-token">,
// trades it for a single-use WebSocket ticket at POST /api/ws-ticket and connects to /ws.
// When the session has ended it offers "Sign in again" (a popup, see signin.js) and a new tab; it
// never navigates to sign-in by itself, so it cannot loop.
(function () {
  'use strict';

  var root = document.getElementById('chat');
  if (!root) {
    return;
  }
  var status = document.getElementById('chat-status');
  var signedOutBox = document.getElementById('chat-signed-out');
  var pageToken = meta('page-token');
  var wsUrl = meta('ws-url');
  var embedUrl = root.getAttribute('data-embed-url');
  var delay = 1000;

  // The page may have been rendered by the OAuth callback; a reload must not replay code and state.
  if (embedUrl && location.pathname !== '/embed') {
    history.replaceState(null, '', embedUrl);
  }

  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute('content') : null;
  }

  function setState(state, text) {
    root.setAttribute('data-state', state);
    if (text) {
      status.textContent = text;
    }
  }

  function rememberPageToken(token) {
    pageToken = token;
    var m = document.querySelector('meta[name="page-token"]');
    if (m) {
      m.setAttribute('content', token);
    }
    var field = document.querySelector('input[name="page_token"]');
    if (field) {
      field.value = token;
    }
  }

  function signedOut() {
    setState('signed-out', 'You are no longer signed in.');
    signedOutBox.hidden = false;
  }

  function ticket() {
    return fetch('/api/ws-ticket', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Authorization': 'Bearer ' + pageToken, 'Accept': 'application/json' }
    }).then(function (r) {
      if (r.status === 401 || r.status === 403) {
        throw { auth: true };
      }
      if (!r.ok) {
        throw { status: r.status };
      }
      return r.json();
    }).then(function (body) {
      if (body.pageToken) {
        rememberPageToken(body.pageToken);
      }
      setState('ticket');
      return body.ticket;
    });
  }

  function retryLater() {
    setState('disconnected', 'Connection lost; retrying…');
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  }

  function connect() {
    ticket().then(function (t) {
      var ws = new WebSocket(wsUrl + '?ticket=' + encodeURIComponent(t));
      ws.onopen = function () {
        delay = 1000;
        setState('connected', 'Connected.');
      };
      ws.onmessage = function (e) {
        var frame;
        try {
          frame = JSON.parse(e.data);
        } catch (err) {
          return;
        }
        if (frame.type === 'ready') {
          setState('ready', 'Connected to ' + frame.space.name + '.');
        }
      };
      ws.onclose = function (e) {
        if (e.code === 4401) {
          signedOut();
        } else if (e.code === 4403) {
          setState('forbidden', 'You no longer have access to this space\u2019s chat.');
        } else {
          retryLater();
        }
      };
    }).catch(function (err) {
      if (err && err.auth) {
        signedOut();
      } else {
        retryLater();
      }
    });
  }

  connect();
}());
