-- 003: Idempotency-Key support for the API's POSTs. The first answer to a
-- key is stored in the same transaction as the write it describes, so a
-- retried request returns that answer and writes nothing twice.

CREATE TABLE idempotency_keys (
  user_id       bigint      NOT NULL,
  key           text        NOT NULL,
  request_hash  bytea       NOT NULL,   -- method, path and body digest: a key reused for another request is refused
  status        smallint    NOT NULL,
  response      text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key),
  CONSTRAINT idempotency_key_length CHECK (char_length(key) BETWEEN 1 AND 255)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
