-- The whole model of Cobot Chat. Later changes are new numbered files; this one is never edited.

CREATE TABLE spaces (
  id                 bigserial PRIMARY KEY,
  subdomain          text        NOT NULL UNIQUE CHECK (subdomain ~ '^[a-z0-9][a-z0-9-]*$'),
  cobot_id           text        UNIQUE,
  name               text        NOT NULL,
  custom_domain      text,
  space_token        bytea,                       -- AES-GCM sealed Cobot space token
  webhook_secret     text        NOT NULL UNIQUE CHECK (length(webhook_secret) >= 22),
  nav_link_url       text,
  nav_link_user_url  text,
  installed_at       timestamptz,
  uninstalled_at     timestamptz,
  last_webhook_at    timestamptz,
  last_reconcile_at  timestamptz,
  last_sync_error    text,
  created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE members (
  id                 bigserial PRIMARY KEY,
  space_id           bigint      NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  cobot_user_id      text,                        -- null while the membership has no user account
  membership_id      text,                        -- null for an admin without a membership
  name               text        NOT NULL,
  avatar_url         text,
  plan_name          text,
  status             text        NOT NULL CHECK (status IN ('active', 'pending', 'ended')),
  canceled_to        date,
  admin              boolean     NOT NULL DEFAULT false,
  profile            text        NOT NULL DEFAULT '' CHECK (length(profile) <= 1000),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (space_id, cobot_user_id),
  UNIQUE (space_id, membership_id),
  UNIQUE (space_id, id),
  CHECK (cobot_user_id IS NOT NULL OR membership_id IS NOT NULL)
);

CREATE TABLE rooms (
  id                 bigserial PRIMARY KEY,
  space_id           bigint      NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  kind               text        NOT NULL CHECK (kind IN ('channel', 'private', 'dm')),
  name               text        NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  topic              text        NOT NULL DEFAULT '',
  is_default         boolean     NOT NULL DEFAULT false,
  auto_join          text        NOT NULL DEFAULT 'none' CHECK (auto_join IN ('none', 'all', 'plans')),
  auto_join_plans    text[]      NOT NULL DEFAULT '{}',
  dm_key             text,                        -- "<low member id>:<high member id>" for direct rooms
  last_seq           bigint      NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
  archived_at        timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (space_id, id),
  UNIQUE (space_id, dm_key),
  CHECK ((kind = 'dm') = (dm_key IS NOT NULL)),
  CHECK (kind <> 'dm' OR auto_join = 'none')
);
CREATE UNIQUE INDEX rooms_one_default ON rooms (space_id) WHERE is_default;
CREATE UNIQUE INDEX rooms_unique_name ON rooms (space_id, lower(name)) WHERE kind <> 'dm' AND archived_at IS NULL;

-- Who is in a room. source: 'rule' (auto-join, undone by rules) or 'manual' (an admin's choice).
CREATE TABLE room_members (
  room_id            bigint      NOT NULL,
  member_id          bigint      NOT NULL,
  space_id           bigint      NOT NULL,
  source             text        NOT NULL CHECK (source IN ('rule', 'manual')),
  joined_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, member_id),
  FOREIGN KEY (space_id, room_id) REFERENCES rooms(space_id, id) ON DELETE CASCADE,
  FOREIGN KEY (space_id, member_id) REFERENCES members(space_id, id) ON DELETE CASCADE
);
CREATE INDEX room_members_member ON room_members (member_id);

-- An admin removed this member from this room by hand: rules must not add them back.
CREATE TABLE room_exclusions (
  room_id            bigint      NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  member_id          bigint      NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  excluded_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, member_id)
);

-- Messages in their current state; room_events is the ordered log clients replay.
CREATE TABLE messages (
  id                 bigserial PRIMARY KEY,
  room_id            bigint      NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  author_id          bigint      NOT NULL REFERENCES members(id),
  author_name        text        NOT NULL,        -- the name at the time of writing
  client_msg_id      text        NOT NULL CHECK (length(client_msg_id) BETWEEN 1 AND 64),
  text               text        CHECK (length(text) <= 4000),
  seq                bigint      NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  edited_at          timestamptz,
  deleted_at         timestamptz,
  UNIQUE (author_id, client_msg_id),
  CHECK (deleted_at IS NULL OR text IS NULL)
);

CREATE TABLE room_events (
  room_id            bigint      NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  seq                bigint      NOT NULL CHECK (seq > 0),
  kind               text        NOT NULL CHECK (kind IN ('message', 'edit', 'delete', 'member_joined', 'member_left')),
  message_id         bigint      REFERENCES messages(id),
  actor_id           bigint      REFERENCES members(id),
  subject_id         bigint      REFERENCES members(id),
  payload            jsonb       NOT NULL DEFAULT '{}',
  created_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, seq),
  CHECK ((kind IN ('message', 'edit', 'delete')) = (message_id IS NOT NULL))
);

CREATE TABLE read_markers (
  member_id          bigint      NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  room_id            bigint      NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  read_seq           bigint      NOT NULL CHECK (read_seq >= 0),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (member_id, room_id)
);

-- Deliveries from Cobot, stored before they are answered and processed by a worker.
CREATE TABLE webhook_inbox (
  id                 bigserial PRIMARY KEY,
  space_id           bigint      NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  event              text        NOT NULL,
  url                text,
  body               jsonb       NOT NULL,
  received_at        timestamptz NOT NULL DEFAULT now(),
  attempts           int         NOT NULL DEFAULT 0,
  next_attempt_at    timestamptz NOT NULL DEFAULT now(),
  locked_until       timestamptz,
  processed_at       timestamptz,
  last_error         text
);
CREATE INDEX webhook_inbox_due ON webhook_inbox (next_attempt_at) WHERE processed_at IS NULL;

-- Signed-in browsers. The cookie and page tokens carry a random id; only its SHA-256 is kept.
CREATE TABLE sessions (
  id_hash            text        PRIMARY KEY,
  member_id          bigint      NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  created_at         timestamptz NOT NULL DEFAULT now(),
  expires_at         timestamptz NOT NULL,
  revoked_at         timestamptz
);
CREATE INDEX sessions_member ON sessions (member_id);

-- Single-use WebSocket tickets (<= 30 s).
CREATE TABLE ws_tickets (
  id_hash            text        PRIMARY KEY,
  member_id          bigint      NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  session_hash       text        REFERENCES sessions(id_hash) ON DELETE CASCADE,
  expires_at         timestamptz NOT NULL,
  used_at            timestamptz
);

-- OAuth round trips in flight: the signed state names a row; the row holds the PKCE verifier.
CREATE TABLE oauth_states (
  nonce              text        PRIMARY KEY,
  purpose            text        NOT NULL CHECK (purpose IN ('member', 'install')),
  subdomain          text        NOT NULL,
  expected_user_id   text,
  pkce_verifier      text        NOT NULL,
  return_to          text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  expires_at         timestamptz NOT NULL,
  consumed_at        timestamptz
);
