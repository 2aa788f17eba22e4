-- billgap schema, version 7. Append-only: never edit this file once it has landed.
-- Email threading: each delivered message keeps its Message-ID and the thread it belongs to
-- (one client's PSA key on one channel, or 'digest'), so that follow-ups about the same client
-- carry In-Reply-To and References to the first message.
ALTER TABLE notifications ADD COLUMN thread TEXT;
ALTER TABLE notifications ADD COLUMN message_id TEXT;
CREATE INDEX notifications_thread ON notifications (channel, thread);
