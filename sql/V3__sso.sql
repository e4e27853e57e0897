-- Member sign-in (issue 4).
-- A member who signed out stays signed out, also in browsers that keep no cookie for the iFrame:
-- the sign-in callback shows "signed out" instead of the chat until the member asks to sign in again.
ALTER TABLE members ADD COLUMN signed_out_at timestamptz;
-- Whether the round trip was started by the member ("Sign in again"), which lifts signed_out_at.
ALTER TABLE oauth_states ADD COLUMN explicit_sign_in boolean NOT NULL DEFAULT false;
