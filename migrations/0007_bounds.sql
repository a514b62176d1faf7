ALTER TABLE `audit_log` ADD `count` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `last_at` integer;--> statement-breakpoint
CREATE INDEX `audit_burst_idx` ON `audit_log` (`ip`,`action`,`status`,`at`);--> statement-breakpoint
ALTER TABLE `jobs` ADD `output_access` text;--> statement-breakpoint
-- Added by hand to the generated migration (re-add it if this migration is regenerated): log and
-- diagnostics reads started before this version keep operator-only output, as their routes declare.
UPDATE `jobs` SET `output_access` = '{"role":"operator","scope":"read"}' WHERE `kind` IN ('app.logs', 'app.diagnostics');
