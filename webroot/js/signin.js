// Sign-in buttons inside the iFrame: run Cobot's sign-in in a popup (a top-level window gets the
// Cobot login cookie that a frame-initiated navigation may not), then redeem the popup's result
// with a same-origin form POST. Without a popup (blocked, or no script) the link navigates the frame.
(function () {
  'use strict';
  var popup = null;

  document.addEventListener('click', function (e) {
    var link = e.target.closest ? e.target.closest('a[data-popup]') : null;
    if (!link) {
      return;
    }
    popup = window.open(link.getAttribute('data-popup'), 'cobot-chat-signin', 'popup,width=520,height=680');
    if (popup) {
      e.preventDefault();
    }
  });

  window.addEventListener('message', function (e) {
    if (e.origin !== location.origin || !popup || e.source !== popup) {
      return;
    }
    var data = e.data;
    if (!data || data.type !== 'cobot-chat:handoff' || typeof data.handoff !== 'string') {
      return;
    }
    var form = document.getElementById('handoff-form');
    if (!form) {
      return;
    }
    form.elements.handoff.value = data.handoff;
    form.submit();
  });
}());
