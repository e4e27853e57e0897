// Cobot Chat page: the admin view for space admins. Rooms (create, rename, archive, auto-join rules
// by plan) through the WebSocket's admin frames; membership sync status and "reconcile now" through
// GET /api/admin/sync and POST /api/admin/sync/reconcile.
(function () {
  'use strict';

  var CC = window.CobotChat;
  var t = CC.t;
  var el = CC.el;
  var byId = CC.byId;
  var uid = 0;

  /** Radio buttons (nobody / all / plans) and plan checkboxes inside a fieldset; returns a reader. */
  function ruleEditor(fieldset, rule, chosen, plans) {
    Array.prototype.slice.call(fieldset.childNodes).forEach(function (n) {
      if (n.nodeName !== 'LEGEND') {
        fieldset.removeChild(n);
      }
    });
    var name = 'rule-' + (++uid);
    var radios = {};
    ['none', 'all', 'plans'].forEach(function (value) {
      var id = name + '-' + value;
      var input = el('input', { type: 'radio', name: name, id: id, value: value });
      input.checked = value === (rule || 'none');
      radios[value] = input;
      fieldset.appendChild(el('div', { className: 'choice' }, [input, ' ', el('label', { 'for': id, text: t('admin.autoJoin.' + value) })]));
    });
    var known = plans.slice();
    (chosen || []).forEach(function (p) {
      if (known.indexOf(p) < 0) {
        known.push(p);
      }
    });
    var group = el('div', { className: 'plans', role: 'group', aria: { label: t('admin.plans') } });
    var boxes = [];
    if (known.length === 0) {
      group.appendChild(el('p', { className: 'muted', text: t('admin.noPlans') }));
    }
    known.forEach(function (plan) {
      var id = name + '-plan-' + boxes.length;
      var box = el('input', { type: 'checkbox', id: id, value: plan });
      box.checked = (chosen || []).indexOf(plan) >= 0;
      box.addEventListener('change', function () {
        if (box.checked) {
          radios.plans.checked = true;
        }
        sync();
      });
      boxes.push(box);
      group.appendChild(el('div', { className: 'choice' }, [box, ' ', el('label', { 'for': id, text: plan })]));
    });
    fieldset.appendChild(group);
    function sync() {
      group.classList.toggle('is-inactive', !radios.plans.checked);
    }
    Object.keys(radios).forEach(function (k) { radios[k].addEventListener('change', sync); });
    sync();
    return function () {
      var selected = Object.keys(radios).filter(function (k) { return radios[k].checked; })[0] || 'none';
      var picked = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      return { autoJoin: selected, plans: selected === 'plans' ? picked : [] };
    };
  }

  function describeRule(room) {
    if (room.autoJoin === 'all') {
      return t('admin.rule.all');
    }
    if (room.autoJoin === 'plans') {
      return t('admin.rule.plans', { plans: (room.plans || []).join(', ') });
    }
    return t('admin.rule.none');
  }

  function Admin(chat) {
    this.chat = chat;
    this.rooms = [];
    this.plans = [];
    this.open = null;
    this.list = byId('admin-rooms');
    this.status = byId('admin-rooms-status');
    this.createForm = byId('room-create');
    this.createStatus = byId('room-create-status');
    this.syncList = byId('sync-status');
    this.reconcileButton = byId('reconcile');
    this.reconcileStatus = byId('reconcile-status');
    this.readCreateRule = ruleEditor(this.createForm.querySelector('[data-rule-editor]'), 'none', [], []);
    var self = this;
    this.createForm.addEventListener('submit', function (e) {
      e.preventDefault();
      self.create();
    });
    this.reconcileButton.addEventListener('click', function () { self.reconcile(); });
    this.refreshTimer = null;
  }

  Admin.prototype.visible = function () {
    var view = byId('view-admin');
    return view && !view.hidden;
  };

  Admin.prototype.show = function () {
    var self = this;
    this.loadRooms();
    this.loadSync();
    if (CC.directory) {
      CC.directory.load(false).then(function () {
        self.plans = CC.directory.plans;
        self.readCreateRule = ruleEditor(self.createForm.querySelector('[data-rule-editor]'), 'none', [], self.plans);
        self.render();
      }, function () { /* the directory shows the error */ });
    }
  };

  Admin.prototype.roomsChanged = function () {
    var self = this;
    if (!this.visible()) {
      return;
    }
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(function () { self.loadRooms(); }, 150);
  };

  Admin.prototype.loadRooms = function () {
    var self = this;
    if (!this.rooms.length) {
      this.status.textContent = t('admin.roomsLoading');
    }
    return CC.request({ type: 'rooms' }).then(function (frame) {
      self.rooms = frame.rooms || [];
      if (self.status.textContent === t('admin.roomsLoading')) {
        self.status.textContent = '';
      }
      self.render();
    }, function (err) {
      self.status.textContent = CC.errorText(err);
    });
  };

  // A refresh (another admin's change, a member joining) must not rebuild the panel being edited:
  // that would drop what the admin has typed or ticked, and the focus. Its room item stays as it is.
  Admin.prototype.render = function () {
    var self = this;
    var kept = this.editedItem();
    Array.prototype.slice.call(this.list.children).forEach(function (child) {
      if (child !== kept) {
        self.list.removeChild(child);
      }
    });
    var keptFound = false;
    this.rooms.forEach(function (room) {
      if (kept && String(room.id) === kept.dataset.room) {
        keptFound = true;
      } else if (kept && !keptFound) {
        self.list.insertBefore(self.roomItem(room), kept);
      } else {
        self.list.appendChild(self.roomItem(room));
      }
    });
    if (kept && !keptFound) {
      this.list.removeChild(kept);
      this.open = null;
    }
  };

  /** Renders every item afresh, the edited one included (after the admin opened, closed or saved a panel). */
  Admin.prototype.rebuild = function () {
    CC.clear(this.list);
    this.render();
  };

  Admin.prototype.editedItem = function () {
    if (!this.open) {
      return null;
    }
    var item = this.list.querySelector('li[data-room="' + this.open.room + '"]');
    return item && item.dataset.panel === this.open.what ? item : null;
  };

  Admin.prototype.roomItem = function (room) {
    var self = this;
    var label = '#' + room.name;
    var li = el('li', { className: 'admin-room', dataset: { room: room.id } });
    li.appendChild(el('div', { className: 'admin-room-head' }, [
      el('h4', { className: 'admin-room-name', text: label }),
      el('span', { className: 'tag', text: t('kind.' + room.kind) }),
      room['default'] ? el('span', { className: 'tag', text: t('admin.default') }) : null,
      el('span', { className: 'muted', text: t('admin.members', { count: room.members }) })
    ]));
    li.appendChild(el('p', { className: 'muted rule-text', text: t('admin.rule') + ': ' + describeRule(room) }));
    var actions = el('p', { className: 'admin-room-actions' }, [
      el('button', { type: 'button', className: 'link-button rename-button', text: t('admin.rename'),
        aria: { label: t('admin.rename') + ' ' + label }, on: { click: function () { self.toggle(room.id, 'rename'); } } }), ' ',
      el('button', { type: 'button', className: 'link-button rule-button', text: t('admin.rule'),
        aria: { label: t('admin.rule') + ' ' + label }, on: { click: function () { self.toggle(room.id, 'rule'); } } }), ' ',
      el('button', { type: 'button', className: 'link-button members-button', text: t('admin.roomMembers'),
        aria: { label: t('admin.roomMembers') + ' ' + label }, on: { click: function () { self.toggle(room.id, 'members'); } } }), ' ',
      room['default'] ? null : el('button', { type: 'button', className: 'link-button archive-button', text: t('admin.archive'),
        aria: { label: t('admin.archive') + ' ' + label }, on: { click: function () { self.toggle(room.id, 'archive'); } } })
    ]);
    li.appendChild(actions);
    if (this.open && this.open.room === room.id) {
      li.appendChild(this.panel(room, this.open.what));
      li.dataset.panel = this.open.what;
    }
    return li;
  };

  Admin.prototype.toggle = function (roomId, what) {
    this.open = this.open && this.open.room === roomId && this.open.what === what ? null : { room: roomId, what: what };
    this.rebuild();
    var item = this.list.querySelector('li[data-room="' + roomId + '"]');
    var first = item && item.querySelector('.admin-panel input, .admin-panel button');
    if (first) {
      first.focus();
    }
  };

  Admin.prototype.panel = function (room, what) {
    var self = this;
    var status = el('span', { className: 'form-status', role: 'status' });
    var done = function (message) {
      self.open = null;
      self.status.textContent = message;
      self.loadRooms();
    };
    var fail = function (err) {
      status.textContent = CC.errorText(err) + (err && err.message ? ' (' + err.message + ')' : '');
    };
    var cancel = el('button', { type: 'button', className: 'link-button', text: t('admin.cancel'),
      on: { click: function () { self.open = null; self.rebuild(); } } });
    if (what === 'rename') {
      var id = 'rename-' + room.id;
      var input = el('input', { id: id, type: 'text', maxlength: '80', value: room.name, autocomplete: 'off' });
      var form = el('form', { className: 'admin-panel', novalidate: true }, [
        el('label', { 'for': id, text: t('admin.roomName') }), input,
        el('p', { className: 'form-actions' }, [el('button', { type: 'submit', className: 'button small', text: t('admin.save') }), ' ', cancel, ' ', status])
      ]);
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        CC.request({ type: 'room_rename', room: room.id, name: input.value.trim() })
          .then(function () { done(t('admin.renamed', { room: '#' + input.value.trim() })); }, fail);
      });
      return form;
    }
    if (what === 'rule') {
      var fieldset = el('fieldset', { className: 'rule' }, [el('legend', { text: t('admin.editRule') + ' #' + room.name })]);
      var read = ruleEditor(fieldset, room.autoJoin, room.plans, this.plans);
      var ruleForm = el('form', { className: 'admin-panel', novalidate: true }, [
        fieldset,
        el('p', { className: 'form-actions' }, [el('button', { type: 'submit', className: 'button small', text: t('admin.save') }), ' ', cancel, ' ', status])
      ]);
      ruleForm.addEventListener('submit', function (e) {
        e.preventDefault();
        var rule = read();
        CC.request({ type: 'room_set_rule', room: room.id, autoJoin: rule.autoJoin, plans: rule.plans })
          .then(function () { done(t('admin.ruleSaved', { room: '#' + room.name })); }, fail);
      });
      return ruleForm;
    }
    if (what === 'members') {
      return this.membersPanel(room, cancel);
    }
    return el('div', { className: 'admin-panel' }, [
      el('p', { text: t('admin.archiveConfirm', { room: '#' + room.name }) }),
      el('p', { className: 'form-actions' }, [
        el('button', { type: 'button', className: 'button small danger confirm-archive', text: t('admin.archive'), on: { click: function () {
          CC.request({ type: 'room_archive', room: room.id }).then(function () { done(t('admin.archived', { room: '#' + room.name })); }, fail);
        } } }), ' ', cancel, ' ', status
      ])
    ]);
  };

  /** Who is in a room (by rule or added by hand), with Remove, and a picker to add a member of the space. */
  Admin.prototype.membersPanel = function (room, cancel) {
    var self = this;
    var label = '#' + room.name;
    var panel = el('div', { className: 'admin-panel room-members' });
    var list = el('ul', { className: 'room-member-list', aria: { label: t('admin.roomMembers') + ' ' + label } });
    var status = el('p', { className: 'form-status', role: 'status' });
    var pickId = 'add-member-' + room.id;
    var pick = el('select', { id: pickId });
    var form = el('form', { className: 'add-member', novalidate: true }, [
      el('label', { 'for': pickId, text: t('admin.addMember') }), pick, ' ',
      el('button', { type: 'submit', className: 'button small', text: t('admin.add') }), ' ', cancel
    ]);
    panel.appendChild(list);
    panel.appendChild(el('p', { className: 'muted', text: t('admin.removedNote') }));
    panel.appendChild(form);
    panel.appendChild(status);
    var fail = function (err) {
      status.textContent = CC.errorText(err);
    };
    function load() {
      var everyone = CC.directory ? CC.directory.load(false) : Promise.resolve([]);
      return Promise.all([CC.request({ type: 'room_members', room: room.id }), everyone]).then(function (r) {
        var inRoom = r[0].members || [];
        var ids = {};
        CC.clear(list);
        inRoom.forEach(function (m) {
          ids[m.id] = true;
          list.appendChild(el('li', { className: 'room-member' }, [
            el('span', { text: m.name }), ' ',
            el('span', { className: 'tag', text: t('admin.source.' + (m.source === 'rule' ? 'rule' : 'manual')) }), ' ',
            el('button', { type: 'button', className: 'link-button remove-member', text: t('admin.remove'),
              aria: { label: t('admin.remove') + ' ' + m.name },
              on: { click: function () {
                CC.request({ type: 'room_remove_member', room: room.id, user: m.id }).then(function () {
                  status.textContent = t('admin.memberRemoved', { name: m.name, room: label });
                  load();
                }, fail);
              } } })
          ]));
        });
        CC.clear(pick);
        (r[1] || []).filter(function (m) { return !ids[m.id]; }).forEach(function (m) {
          pick.appendChild(el('option', { value: m.id, text: m.name }));
        });
        form.hidden = pick.options.length === 0;
      }, fail);
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var option = pick.options[pick.selectedIndex];
      if (!option) {
        return;
      }
      var name = option.textContent;
      CC.request({ type: 'room_add_member', room: room.id, user: option.value }).then(function () {
        status.textContent = t('admin.memberAdded', { name: name, room: label });
        load();
      }, fail);
    });
    load();
    return panel;
  };

  Admin.prototype.create = function () {
    var self = this;
    var nameField = byId('room-create-name');
    var name = nameField.value.trim();
    if (!name) {
      nameField.focus();
      return;
    }
    var rule = this.readCreateRule();
    var frame = { type: 'room_create', name: name, kind: byId('room-create-kind').value, autoJoin: rule.autoJoin };
    if (rule.autoJoin === 'plans') {
      frame.plans = rule.plans;
    }
    this.createStatus.textContent = '';
    CC.request(frame).then(function () {
      nameField.value = '';
      self.createStatus.textContent = t('admin.created', { room: '#' + name });
      self.readCreateRule = ruleEditor(self.createForm.querySelector('[data-rule-editor]'), 'none', [], self.plans);
      self.loadRooms();
    }, function (err) {
      self.createStatus.textContent = CC.errorText(err) + (err && err.message ? ' (' + err.message + ')' : '');
    });
  };

  function when(iso) {
    return iso ? CC.stamp(new Date(iso)) : t('sync.never');
  }

  Admin.prototype.loadSync = function () {
    var self = this;
    return this.chat.session.api('GET', '/api/admin/sync').then(function (s) {
      CC.clear(self.syncList);
      var rows = [
        ['sync.lastWebhook', when(s.lastWebhookAt)],
        ['sync.lastReconcile', when(s.lastReconcileAt)],
        ['sync.lastError', s.lastError || t('sync.none')],
        ['sync.pending', String(s.inbox ? s.inbox.pending : 0)],
        ['sync.failing', String(s.inbox ? s.inbox.failing : 0)]
      ];
      rows.forEach(function (r) {
        self.syncList.appendChild(el('div', { className: 'sync-row' }, [el('dt', { text: t(r[0]) }), el('dd', { text: r[1] })]));
      });
    }, function (err) {
      if (err && err.auth) {
        CC.onSignedOut();
        return;
      }
      CC.clear(self.syncList);
      self.syncList.appendChild(el('div', { className: 'sync-row' }, [el('dt', { text: t('sync.heading') }),
        el('dd', { text: t('sync.unavailable') })]));
    });
  };

  Admin.prototype.reconcile = function () {
    var self = this;
    this.reconcileButton.disabled = true;
    this.reconcileStatus.textContent = t('sync.reconciling');
    this.chat.session.api('POST', '/api/admin/sync/reconcile', {}).then(function (r) {
      self.reconcileStatus.textContent = t('sync.reconciled', { listed: r.listed, changed: r.changed });
    }, function (err) {
      if (err && err.auth) {
        CC.onSignedOut();
        return;
      }
      self.reconcileStatus.textContent = err && err.status === 409 ? t('sync.busy')
        : ((err && err.body && err.body.message) || t('sync.unavailable'));
    }).then(function () {
      self.reconcileButton.disabled = false;
      self.loadSync();
    });
  };

  CC.Admin = Admin;
}());
