// Last page of a sign-in popup: hand the single-use code to the chat frame that opened this window
// (same origin only), then close. Opened directly, it offers the chat in this window instead.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="handoff"]');
  var code = meta ? meta.getAttribute('content') : null;
  if (code && window.opener && !window.opener.closed) {
    try {
      window.opener.postMessage({ type: 'cobot-chat:handoff', handoff: code }, location.origin);
      window.close();
      return;
    } catch (e) {
      // the opener is gone or of another origin: fall through
    }
  }
  document.getElementById('handoff-status').textContent = 'Close this window and return to the chat, or continue here.';
  document.getElementById('handoff-continue').hidden = false;
}());
