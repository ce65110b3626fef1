-- Change notifications: every statement that changes what the gateway's caches hold (tokens, users,
-- memberships, namespaces, projects, protection rules) sends NOTIFY pgw_changes with the table name,
-- delivered at commit to every listening gateway process, whoever made the change (a gateway, the
-- CLI, plain SQL). Statement-level triggers: a load of many rows sends one notification per statement.
CREATE FUNCTION "pgw_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pgw_changes', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

-- Tokens: not on last_used_at alone (bookkeeping the gateway itself writes while serving).
CREATE TRIGGER "personal_access_tokens_notify" AFTER INSERT OR DELETE OR TRUNCATE
  OR UPDATE OF "id", "user_id", "name", "token_digest", "scopes", "expires_at", "revoked" ON "personal_access_tokens"
  FOR EACH STATEMENT EXECUTE FUNCTION "pgw_notify_change"();
CREATE TRIGGER "users_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION "pgw_notify_change"();
CREATE TRIGGER "namespaces_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "namespaces"
  FOR EACH STATEMENT EXECUTE FUNCTION "pgw_notify_change"();
CREATE TRIGGER "group_members_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "group_members"
  FOR EACH STATEMENT EXECUTE FUNCTION "pgw_notify_change"();
CREATE TRIGGER "projects_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "projects"
  FOR EACH STATEMENT EXECUTE FUNCTION "pgw_notify_change"();
CREATE TRIGGER "project_members_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "project_members"
  FOR EACH STATEMENT EXECUTE FUNCTION "pgw_notify_change"();
CREATE TRIGGER "packages_protection_rules_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "packages_protection_rules"
  FOR EACH STATEMENT EXECUTE FUNCTION "pgw_notify_change"();
