-- Package events: every change of a package row that a viewer of the registry would notice sends
-- NOTIFY pgw_package_events with {"action", "id", "project_id"}, delivered at commit to every listening
-- gateway process, whoever made the change (a gateway, the CLI, the seed, plain SQL). The action:
-- CREATED for an insert; DESTROYED when the status becomes pending_destruction; RESTORED when it leaves
-- pending_destruction; UPDATED for any other change, except one of only last_downloaded_at and
-- updated_at (downloads write those). A row removed (the cleanup, after DESTROYED) sends nothing.
CREATE FUNCTION "pgw_notify_package_event"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  action text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    action := 'CREATED';
  ELSIF (to_jsonb(OLD) - 'last_downloaded_at' - 'updated_at') = (to_jsonb(NEW) - 'last_downloaded_at' - 'updated_at') THEN
    RETURN NULL;
  ELSIF NEW.status = 'pending_destruction' AND OLD.status <> 'pending_destruction' THEN
    action := 'DESTROYED';
  ELSIF OLD.status = 'pending_destruction' AND NEW.status <> 'pending_destruction' THEN
    action := 'RESTORED';
  ELSE
    action := 'UPDATED';
  END IF;
  PERFORM pg_notify('pgw_package_events', json_build_object('action', action, 'id', NEW.id, 'project_id', NEW.project_id)::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER "packages_packages_events" AFTER INSERT OR UPDATE ON "packages_packages"
  FOR EACH ROW EXECUTE FUNCTION "pgw_notify_package_event"();
