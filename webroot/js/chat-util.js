// Cobot Chat page: shared helpers (namespace window.CobotChat). No framework: DOM is built with
// createElement and textContent only, so text from members is never interpreted as HTML.
(function () {
  'use strict';

  var CC = window.CobotChat = window.CobotChat || {};
  var dictionary = {};
  var lang = document.documentElement.lang || 'en';
  // Dates and times in the page's language, with the browser's regional format when it is a variant of it (en-GB, de-AT).
  var browserLocale = navigator.language || '';
  var dateLocale = browserLocale.toLowerCase().split('-')[0] === lang ? browserLocale : lang;

  // ---- i18n ----

  CC.lang = lang;

  /** Loads the page's dictionary (same JSON the server renders the shell from). */
  CC.loadDictionary = function (url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.json() : {};
    }).then(function (d) {
      dictionary = d || {};
    }, function () {
      dictionary = {};
    });
  };

  /** The string for key with {name} placeholders filled from vars. */
  CC.t = function (key, vars) {
    var text = Object.prototype.hasOwnProperty.call(dictionary, key) ? dictionary[key] : key;
    if (vars) {
      text = text.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m;
      });
    }
    return text;
  };

  // ---- DOM ----

  /**
   * el('button', {className: 'x', type: 'button', dataset: {id: 1}, aria: {label: 'y'}, on: {click: f}}, [children])
   * Children are nodes or strings (strings become text nodes).
   */
  CC.el = function (tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === undefined || v === null || v === false) {
          return;
        }
        if (k === 'className') {
          node.className = v;
        } else if (k === 'text') {
          node.textContent = v;
        } else if (k === 'dataset') {
          Object.keys(v).forEach(function (d) { node.dataset[d] = v[d]; });
        } else if (k === 'aria') {
          Object.keys(v).forEach(function (a) { node.setAttribute('aria-' + a, v[a]); });
        } else if (k === 'on') {
          Object.keys(v).forEach(function (ev) { node.addEventListener(ev, v[ev]); });
        } else if (v === true) {
          node.setAttribute(k, '');
        } else {
          node.setAttribute(k, v);
        }
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) {
        return;
      }
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  };

  CC.clear = function (node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  };

  CC.byId = function (id) {
    return document.getElementById(id);
  };

  var LINK = /\bhttps?:\/\/[^\s<>"']+/gi;
  var TRAILING = /[.,;:!?)\]}'"]+$/;

  /**
   * Message text as DOM: text nodes, with http(s) URLs as links that open in a new tab without
   * handing our window to the target. Nothing in the text is ever parsed as HTML.
   */
  CC.richText = function (text) {
    var frag = document.createDocumentFragment();
    var last = 0;
    text = text || '';
    text.replace(LINK, function (match, offset) {
      var url = match;
      var trail = '';
      var m = TRAILING.exec(url);
      if (m && !(m[0].charAt(0) === ')' && url.indexOf('(') >= 0)) {
        trail = m[0];
        url = url.slice(0, url.length - trail.length);
      }
      if (offset > last) {
        frag.appendChild(document.createTextNode(text.slice(last, offset)));
      }
      var safe = null;
      try {
        var parsed = new URL(url);
        if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
          safe = parsed.href;
        }
      } catch (e) {
        safe = null;
      }
      if (safe) {
        frag.appendChild(CC.el('a', { href: safe, target: '_blank', rel: 'noopener noreferrer', text: url }));
      } else {
        frag.appendChild(document.createTextNode(url));
      }
      if (trail) {
        frag.appendChild(document.createTextNode(trail));
      }
      last = offset + match.length;
      return match;
    });
    if (last < text.length) {
      frag.appendChild(document.createTextNode(text.slice(last)));
    }
    return frag;
  };

  CC.initials = function (name) {
    var parts = String(name || '').trim().split(/\s+/).filter(function (p) { return p.length > 0; });
    var out = parts.slice(0, 2).map(function (p) { return Array.from(p)[0].toUpperCase(); }).join('');
    return out || '?';
  };

  function hue(name) {
    var h = 0;
    var s = String(name || '');
    for (var i = 0; i < s.length; i++) {
      h = (h * 31 + s.charCodeAt(i)) | 0;
    }
    return Math.abs(h) % 12;
  }

  /** The member's Cobot picture, or their initials on a coloured disc when there is none or it fails to load. */
  CC.avatar = function (person, size) {
    var name = person && person.name;
    var fallback = CC.el('span', { className: 'avatar avatar-' + (size || 'm') + ' initials hue-' + hue(name), aria: { hidden: 'true' },
      text: CC.initials(name) });
    var url = person && person.avatarUrl;
    // Pictures load over https (the page's CSP allows https: images); anything else gets the initials.
    if (!url || !(/^https:\/\//i.test(url) || url.indexOf(location.origin + '/') === 0)) {
      return fallback;
    }
    var img = CC.el('img', { className: 'avatar avatar-' + (size || 'm'), src: url, alt: '', loading: 'lazy',
      referrerpolicy: 'no-referrer' });
    img.addEventListener('error', function () {
      if (img.parentNode) {
        img.parentNode.replaceChild(fallback, img);
      }
    });
    return img;
  };

  // ---- time ----

  function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  CC.sameDay = sameDay;

  var timeFormat = null;
  var dayFormat = null;
  var dayYearFormat = null;
  var stampFormat = null;

  function formats() {
    if (!timeFormat) {
      timeFormat = new Intl.DateTimeFormat(dateLocale, { hour: '2-digit', minute: '2-digit' });
      dayFormat = new Intl.DateTimeFormat(dateLocale, { weekday: 'long', day: 'numeric', month: 'long' });
      dayYearFormat = new Intl.DateTimeFormat(dateLocale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
      stampFormat = new Intl.DateTimeFormat(dateLocale, { dateStyle: 'medium', timeStyle: 'short' });
    }
  }

  CC.time = function (date) {
    formats();
    return timeFormat.format(date);
  };

  CC.stamp = function (date) {
    formats();
    return stampFormat.format(date);
  };

  CC.dayLabel = function (date) {
    formats();
    var now = new Date();
    var yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
    if (sameDay(date, now)) {
      return CC.t('day.today');
    }
    if (sameDay(date, yesterday)) {
      return CC.t('day.yesterday');
    }
    return date.getFullYear() === now.getFullYear() ? dayFormat.format(date) : dayYearFormat.format(date);
  };

  // ---- misc ----

  CC.randomId = function () {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  };

  /** Announces text to screen readers through the page's polite live region. */
  CC.announce = function (text) {
    var region = CC.byId('live');
    if (!region) {
      return;
    }
    var line = CC.el('p', { text: text });
    region.appendChild(line);
    while (region.childNodes.length > 5) {
      region.removeChild(region.firstChild);
    }
  };
}());
