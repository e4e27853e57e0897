-- Member sign-in (issue 4).
-- A member who signed out stays signed out, also in browsers that keep no cookie for the iFrame:
-- the sign-in callback shows "signed out" instead of the chat until the member asks to sign in again.
ALTER TABLE members ADD COLUMN signed_out_at timestamptz;
-- Whether the round trip was started by the member ("Sign in again"), which lifts signed_out_at.
ALTER TABLE oauth_states ADD COLUMN explicit_sign_in boolean NOT NULL DEFAULT false;
-- Whether the round trip runs in a popup opened from the iFrame (its result is handed to the frame).
ALTER TABLE oauth_states ADD COLUMN popup boolean NOT NULL DEFAULT false;

-- A sign-in finished in a popup, handed to the iFrame that opened it (single use, <= 60 s).
CREATE TABLE sign_in_handoffs (
  id_hash            text        PRIMARY KEY,
  member_id          bigint      NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  expires_at         timestamptz NOT NULL,
  used_at            timestamptz
);
CREATE INDEX sign_in_handoffs_member ON sign_in_handoffs (member_id);
