-- CreateTable
CREATE TABLE "web_sessions" (
    "id" SERIAL NOT NULL,
    "secret_digest" TEXT NOT NULL,
    "token_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "web_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "web_sessions_secret_digest_key" ON "web_sessions"("secret_digest");

-- CreateIndex
CREATE INDEX "web_sessions_token_id_idx" ON "web_sessions"("token_id");

-- CreateIndex
CREATE INDEX "web_sessions_expires_at_idx" ON "web_sessions"("expires_at");

-- AddForeignKey
ALTER TABLE "web_sessions" ADD CONSTRAINT "web_sessions_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "personal_access_tokens"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Change notifications (see 20261129210000_change_notifications): a session ended or created in one
-- process empties the session caches of every process.
CREATE TRIGGER "web_sessions_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "web_sessions"
  FOR EACH STATEMENT EXECUTE FUNCTION "pgw_notify_change"();
