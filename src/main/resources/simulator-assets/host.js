// Cobot simulator host page: resizes the app iFrame on {"frameHeight": n} messages (sent as a JSON
// string, as Cobot's helper does), tells the frame the parent's scroll position, and submits the
// member switcher on change.
(function () {
  'use strict';
  var frame = document.getElementById('app-frame');

  window.addEventListener('message', function (event) {
    if (!frame || event.source !== frame.contentWindow || typeof event.data !== 'string') {
      return;
    }
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (message && typeof message.frameHeight === 'number' && message.frameHeight > 0 && message.frameHeight < 100000) {
      var height = Math.ceil(message.frameHeight);
      frame.style.height = height + 'px';
      frame.setAttribute('data-frame-height', String(height));
    }
  });

  function postScroll() {
    if (frame && frame.contentWindow) {
      frame.contentWindow.postMessage(JSON.stringify({ scrollTop: window.scrollY }), '*');
    }
  }
  window.addEventListener('scroll', postScroll, { passive: true });
  if (frame) {
    frame.addEventListener('load', postScroll);
  }

  var switcher = document.getElementById('member-switcher');
  if (switcher) {
    switcher.addEventListener('change', function () {
      if (switcher.value) {
        switcher.form.submit();
      }
    });
  }
})();
