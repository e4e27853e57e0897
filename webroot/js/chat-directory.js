// Cobot Chat page: the space's member directory (pictures and names from Cobot, the short profile
// members write here) and the member's own profile form. GET /api/members, PUT /api/me/profile.
(function () {
  'use strict';

  var CC = window.CobotChat;
  var t = CC.t;
  var el = CC.el;
  var byId = CC.byId;

  var STALE_MS = 60000;

  function Directory(chat) {
    this.chat = chat;
    this.members = [];
    this.plans = [];
    this.loadedAt = 0;
    this.loading = null;
    this.list = byId('member-cards');
    this.status = byId('directory-status');
    this.search = byId('member-search');
    this.form = byId('profile-form');
    this.about = byId('profile-about');
    this.contact = byId('profile-contact');
    this.formStatus = byId('profile-status');
    this.formDirty = false;
    var self = this;
    this.search.addEventListener('input', function () { self.render(); });
    this.form.addEventListener('submit', function (e) {
      e.preventDefault();
      self.save();
    });
    this.about.addEventListener('input', function () { self.formDirty = true; });
    this.contact.addEventListener('input', function () { self.formDirty = true; });
  }

  /** Loads the member list (at most once a minute unless forced); resolves with it. */
  Directory.prototype.load = function (force) {
    var self = this;
    if (this.loading) {
      return this.loading;
    }
    if (!force && this.loadedAt && Date.now() - this.loadedAt < STALE_MS) {
      return Promise.resolve(this.members);
    }
    if (!this.members.length) {
      this.status.textContent = t('directory.loading');
    }
    this.loading = this.chat.session.api('GET', '/api/members').then(function (body) {
      self.loading = null;
      self.loadedAt = Date.now();
      self.members = body.members || [];
      self.plans = body.plans || [];
      self.status.textContent = '';
      self.fillForm();
      return self.members;
    }, function (err) {
      self.loading = null;
      if (err && err.auth) {
        CC.onSignedOut();
      }
      self.status.textContent = t('error.generic');
      throw err;
    });
    return this.loading;
  };

  Directory.prototype.show = function () {
    var self = this;
    this.render();
    this.load(false).then(function () { self.render(); }, function () { /* status shows it */ });
  };

  Directory.prototype.connected = function () {
    this.loadedAt = 0;
  };

  Directory.prototype.presenceChanged = function () {
    if (!byId('view-directory').hidden) {
      this.render();
    }
  };

  Directory.prototype.fillForm = function () {
    if (this.formDirty) {
      return;
    }
    var me = this.members.filter(function (m) { return m.me; })[0];
    if (me) {
      this.about.value = (me.profile && me.profile.about) || '';
      this.contact.value = (me.profile && me.profile.contact) || '';
    }
  };

  Directory.prototype.save = function () {
    var self = this;
    this.formStatus.textContent = t('profile.saving');
    this.chat.session.api('PUT', '/api/me/profile', { about: this.about.value, contact: this.contact.value })
      .then(function (entry) {
        self.formDirty = false;
        self.formStatus.textContent = t('profile.saved');
        self.members = self.members.map(function (m) { return m.id === entry.id ? entry : m; });
        self.about.value = entry.profile.about;
        self.contact.value = entry.profile.contact;
        self.render();
      }, function (err) {
        if (err && err.auth) {
          CC.onSignedOut();
        }
        self.formStatus.textContent = (err && err.body && err.body.message) || t('error.generic');
      });
  };

  Directory.prototype.render = function () {
    var self = this;
    var query = this.search.value.trim().toLocaleLowerCase();
    var shown = this.members.filter(function (m) {
      if (!query) {
        return true;
      }
      var p = m.profile || {};
      return [m.name, p.about, p.contact].join(' ').toLocaleLowerCase().indexOf(query) >= 0;
    });
    CC.clear(this.list);
    shown.forEach(function (m) {
      self.list.appendChild(self.card(m));
    });
    if (this.loadedAt && shown.length === 0) {
      this.status.textContent = t('directory.empty');
    } else if (this.loadedAt) {
      this.status.textContent = '';
    }
  };

  Directory.prototype.card = function (m) {
    var self = this;
    var p = m.profile || {};
    var online = this.chat.isOnline(m.id) || m.me;
    var nameLine = el('h3', { className: 'member-name' }, [
      m.name,
      m.me ? el('span', { className: 'muted', text: ' ' + t('directory.you') }) : null,
      m.admin ? el('span', { className: 'tag', text: t('admin.badge') }) : null
    ]);
    var details = el('div', { className: 'member-details' }, [nameLine]);
    if (p.about) {
      details.appendChild(el('p', { className: 'member-about' }, [
        el('span', { className: 'label', text: t('directory.about') + ': ' }), CC.richText(p.about)
      ]));
    }
    if (p.contact) {
      details.appendChild(el('p', { className: 'member-contact' }, [
        el('span', { className: 'label', text: t('directory.contact') + ': ' }), CC.richText(p.contact)
      ]));
    }
    if (!p.about && !p.contact) {
      details.appendChild(el('p', { className: 'muted', text: t('directory.noProfile') }));
    }
    var children = [
      el('span', { className: 'avatar-wrap' }, [
        CC.avatar(m, 'l'),
        el('span', { className: 'presence ' + (online ? 'is-online' : 'is-offline') }, [
          el('span', { className: 'sr-only', text: t(online ? 'presence.online' : 'presence.offline') })
        ])
      ]),
      details
    ];
    if (!m.me) {
      children.push(el('button', {
        type: 'button', className: 'button small message-button', text: t('directory.message'),
        aria: { label: t('directory.messageLabel', { name: m.name }) },
        on: {
          click: function (e) {
            var button = e.currentTarget;
            button.disabled = true;
            self.chat.startDirect(m.id).then(function () {
              button.disabled = false;
            }, function (err) {
              button.disabled = false;
              self.status.textContent = CC.errorText(err);
            });
          }
        }
      }));
    }
    return el('li', { className: 'member-card', dataset: { member: m.id } }, children);
  };

  CC.Directory = Directory;
}());
