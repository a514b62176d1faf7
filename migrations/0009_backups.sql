CREATE TABLE `backups` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`app_name` text NOT NULL,
	`node_id` text NOT NULL,
	`vmid` integer NOT NULL,
	`guest_type` text NOT NULL,
	`storage` text NOT NULL,
	`volid` text,
	`status` text NOT NULL,
	`size_bytes` integer,
	`taken_at` integer NOT NULL,
	`note` text,
	`protected` integer DEFAULT false NOT NULL,
	`app_state` text NOT NULL,
	`job_id` text NOT NULL,
	`error` text,
	`drill_status` text,
	`drill_at` integer,
	`drill_detail` text,
	`drill_job_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`node_id`) REFERENCES `nodes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `backups_app_idx` ON `backups` (`app_id`,`taken_at`);--> statement-breakpoint
CREATE INDEX `backups_node_volid_idx` ON `backups` (`node_id`,`volid`);--> statement-breakpoint
CREATE INDEX `backups_job_idx` ON `backups` (`job_id`);--> statement-breakpoint
ALTER TABLE `apps` ADD `retention` text;--> statement-breakpoint
ALTER TABLE `apps` ADD `backup_storage` text;--> statement-breakpoint
ALTER TABLE `apps` ADD `snapshots` integer;--> statement-breakpoint
ALTER TABLE `nodes` ADD `backup_storage` text;