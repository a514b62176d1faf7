CREATE TABLE `install_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`automation` text DEFAULT 'pro' NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `apps` ADD `available_version` text;--> statement-breakpoint
ALTER TABLE `apps` ADD `update_checked_at` integer;