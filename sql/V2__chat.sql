-- Chat: unread counts and catch-up read messages of a room by seq.
CREATE INDEX messages_room_seq ON messages (room_id, seq);
