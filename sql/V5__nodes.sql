-- Several nodes on one database (issue 8).

-- Every running node: a heartbeat row. A node silent for three heartbeats counts as dead; rows of
-- long-dead nodes are deleted by whichever node notices (their presence rows go with them).
CREATE TABLE chat_nodes (
  id            text        PRIMARY KEY,
  bus           text        NOT NULL CHECK (bus IN ('postgres', 'local')),
  started_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now()
);

-- Who has at least one chat socket open on which node: the presence a node learns at start-up and
-- after its listening connection came back; live changes travel as notifications.
CREATE TABLE chat_presence (
  node_id       text        NOT NULL REFERENCES chat_nodes(id) ON DELETE CASCADE,
  member_id     bigint      NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  PRIMARY KEY (node_id, member_id)
);
CREATE INDEX chat_presence_member ON chat_presence (member_id);
